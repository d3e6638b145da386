// Waiting until a queue's descriptor is ready: on CLOCK_MONOTONIC, woken by
// pmq_interrupt, and by signal handlers as the kernel's own waits are.
#pragma once

#include <mqueue.h>

#include "deadline.hpp"
#include "interruption.hpp"

namespace pmq::detail {

// Waits until `fd` is ready for `events` (POLLIN and/or POLLOUT) and returns
// 0 with the ready ones in *ready; else the errno to explain:
//   ETIMEDOUT  the deadline passed (deadline nullptr: wait forever);
//   EINTR      a signal handler interrupted the wait; an endless wait is
//              restarted instead when the handlers ask for it (SA_RESTART,
//              see signal_restart.hpp), since the kernel never restarts poll;
//   ECANCELED  pmq_interrupt (waiter nullptr: the call cannot be interrupted).
// A cancellation point: pthread_cancel unwinds through it.
int wait_ready(mqd_t fd, short events, const Deadline *deadline,
               const Interruption::Waiter *waiter, short *ready);

} // namespace pmq::detail
