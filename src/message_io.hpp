// Sending and receiving on a descriptor: the hot path.
//
// On a ready queue each call is exactly one system call, allocates nothing and
// takes no lock.  Waiting is done by the kernel for "forever", and by ppoll()
// on CLOCK_MONOTONIC for a bounded timeout, so the wall clock cannot move it.
#pragma once

#include <mqueue.h>

#include <cstddef>

#include "status.hpp"

namespace pmq::detail {

// Who is calling, for explanations: the API function and the queue's name.
struct CallSite {
    const char *operation;
    const char *name;
};

// timeout_ms: < 0 waits forever (unless the descriptor is non-blocking),
// 0 never waits, > 0 waits at most that long.
Status send_message(mqd_t fd, const void *msg, std::size_t len, unsigned priority,
                    int timeout_ms, CallSite site);
Status receive_message(mqd_t fd, void *buf, std::size_t cap, unsigned *priority,
                       int timeout_ms, CallSite site, std::size_t *length);

// Arguments every send or receive checks before any system call.
Status check_send_arguments(const void *msg, std::size_t len, unsigned priority, CallSite site);
Status check_receive_arguments(const void *buf, CallSite site);

} // namespace pmq::detail
