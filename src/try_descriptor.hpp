// Why a handle holds two descriptors of its queue.  The first attempt of a
// send or receive must not block, even on a blocking handle, so that a wait
// after it can watch pmq_interrupt's eventfd.  On the handle's own descriptor
// that takes mq_timed* with an expired deadline, whose timespec the kernel
// copies and checks on every call: +8% on a 16-byte send+receive pair against
// 1.0's plain mq_send/mq_receive (measured on a 2-vCPU VM).  A second open
// file description of the same queue, opened O_NONBLOCK through
// /proc/self/fd, takes the plain call, which then never blocks.
#pragma once

#include <mqueue.h>

namespace pmq::detail {

// A non-blocking, close-on-exec description of the queue `fd` refers to,
// opened with `access` (O_RDONLY, O_WRONLY or O_RDWR: the handle's own); -1
// if there is none to be had (no /proc, no descriptor left, permission since
// withdrawn): the handle then makes its first attempts with expired
// deadlines, as before.
mqd_t open_try_descriptor(mqd_t fd, int access);

} // namespace pmq::detail
