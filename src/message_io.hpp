// Sending and receiving on a descriptor: the hot path.
//
// On a ready queue each call is exactly one system call, allocates nothing and
// takes no lock.  Waiting is done by the kernel for "forever", and by ppoll()
// on CLOCK_MONOTONIC for a bounded timeout, so the wall clock cannot move it.
#pragma once

#include <mqueue.h>
#include <time.h>

#include <cerrno>
#include <cstddef>

#include "status.hpp"

namespace pmq::detail {

// Who is calling, for explanations: the API function and the queue's name.
struct CallSite {
    const char *operation;
    const char *name;
};

// Linux's MQ_PRIO_MAX; priorities are 0 .. prio_max-1.
inline constexpr unsigned prio_max = 32768;

// An absolute CLOCK_REALTIME timeout long past: mq_timed* then never sleep,
// they either transfer at once or fail with ETIMEDOUT.
inline constexpr struct timespec already_expired = {0, 0};

// Out of line, after the first attempt failed with `err`: wait for a bounded
// timeout (ETIMEDOUT with timeout_ms > 0) and try again, or explain.
Status send_after_failure(int err, mqd_t fd, const void *msg, std::size_t len,
                          unsigned priority, int timeout_ms, CallSite site);
Status receive_after_failure(int err, mqd_t fd, void *buf, std::size_t cap, unsigned *priority,
                             int timeout_ms, CallSite site, std::size_t *length);
Status explain_send_arguments(const void *msg, std::size_t len, unsigned priority, CallSite site);
Status explain_receive_arguments(CallSite site);

// The functions below are inline so that a call on a ready queue costs little
// more than its one system call; everything else goes out of line.

// timeout_ms: < 0 waits forever (unless the descriptor is non-blocking),
// 0 never waits, > 0 waits at most that long.
[[gnu::always_inline]] inline Status send_message(mqd_t fd, const void *msg, std::size_t len,
                                                 unsigned priority, int timeout_ms, CallSite site)
{
    // glibc declares the buffer nonnull; a zero-length message may come as NULL.
    const char *bytes = msg != nullptr ? static_cast<const char *>(msg) : "";
    const int rc = timeout_ms < 0 ? ::mq_send(fd, bytes, len, priority)
                                  : ::mq_timedsend(fd, bytes, len, priority, &already_expired);
    if (rc == 0) [[likely]]
        return {};
    return send_after_failure(errno, fd, msg, len, priority, timeout_ms, site);
}

[[gnu::always_inline]] inline Status receive_message(mqd_t fd, void *buf, std::size_t cap,
                                                    unsigned *priority, int timeout_ms,
                                                    CallSite site, std::size_t *length)
{
    char *bytes = static_cast<char *>(buf);
    const ssize_t n = timeout_ms < 0
                          ? ::mq_receive(fd, bytes, cap, priority)
                          : ::mq_timedreceive(fd, bytes, cap, priority, &already_expired);
    if (n < 0) [[unlikely]]
        return receive_after_failure(errno, fd, buf, cap, priority, timeout_ms, site, length);
    *length = static_cast<std::size_t>(n);
    return {};
}

// Arguments every send or receive checks before any system call.
inline Status check_send_arguments(const void *msg, std::size_t len, unsigned priority,
                                   CallSite site)
{
    if ((msg == nullptr && len != 0) || priority >= prio_max) [[unlikely]]
        return explain_send_arguments(msg, len, priority, site);
    return {};
}

inline Status check_receive_arguments(const void *buf, CallSite site)
{
    if (buf == nullptr) [[unlikely]]
        return explain_receive_arguments(site);
    return {};
}

} // namespace pmq::detail
