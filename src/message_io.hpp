// Sending and receiving on a descriptor: the hot path.
//
// On a ready queue each call is exactly one system call, allocates nothing and
// takes no lock: mq_timedsend/mq_timedreceive with a deadline long past, which
// transfer at once or say the call would block.  Only then does the call wait,
// out of line, in ppoll() on CLOCK_MONOTONIC (so the wall clock cannot move
// it) together with the handle's pmq_interrupt eventfd (ready_wait.hpp).
#pragma once

#include <mqueue.h>
#include <time.h>

#include <cerrno>
#include <cstddef>

#include "interruption.hpp"
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

// Out of line, after the first attempt failed with `err`: wait (ETIMEDOUT,
// i.e. it would block, with timeout_ms != 0) and try again, or explain.
// `interruption` is the handle's (nullptr for the name-based calls).
Status send_after_failure(int err, mqd_t fd, Interruption *interruption, const void *msg,
                          std::size_t len, unsigned priority, int timeout_ms, CallSite site);
Status receive_after_failure(int err, mqd_t fd, Interruption *interruption, void *buf,
                             std::size_t cap, unsigned *priority, int timeout_ms, CallSite site,
                             std::size_t *length);
Status explain_send_arguments(const void *msg, std::size_t len, unsigned priority, CallSite site);
Status explain_receive_arguments(CallSite site);

// The functions below are inline so that a call on a ready queue costs little
// more than its one system call; everything else goes out of line.

// timeout_ms: < 0 waits forever (unless the descriptor is non-blocking),
// 0 never waits, > 0 waits at most that long.
[[gnu::always_inline]] inline Status send_message(mqd_t fd, Interruption *interruption,
                                                 const void *msg, std::size_t len,
                                                 unsigned priority, int timeout_ms, CallSite site)
{
    // glibc declares the buffer nonnull; a zero-length message may come as NULL.
    const char *bytes = msg != nullptr ? static_cast<const char *>(msg) : "";
    if (::mq_timedsend(fd, bytes, len, priority, &already_expired) == 0) [[likely]]
        return {};
    return send_after_failure(errno, fd, interruption, msg, len, priority, timeout_ms, site);
}

[[gnu::always_inline]] inline Status receive_message(mqd_t fd, Interruption *interruption,
                                                    void *buf, std::size_t cap,
                                                    unsigned *priority, int timeout_ms,
                                                    CallSite site, std::size_t *length)
{
    char *bytes = static_cast<char *>(buf);
    const ssize_t n = ::mq_timedreceive(fd, bytes, cap, priority, &already_expired);
    if (n < 0) [[unlikely]]
        return receive_after_failure(errno, fd, interruption, buf, cap, priority, timeout_ms,
                                     site, length);
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
