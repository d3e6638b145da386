// Sending and receiving on a descriptor: the hot path.
//
// On a ready queue each call is exactly one system call, allocates nothing and
// takes no lock: a plain mq_send/mq_receive on the handle's non-blocking
// second descriptor (try_descriptor.hpp), or where there is none
// mq_timedsend/mq_timedreceive with a deadline long past; either transfers at
// once or says the call would block.  Only then does the call wait,
// out of line, in ppoll() on CLOCK_MONOTONIC (so the wall clock cannot move
// it) together with the handle's pmq_interrupt eventfd (ready_wait.hpp).
#pragma once

#include <mqueue.h>
#include <time.h>

#include <atomic>
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

// The descriptors a call uses: `fd`, the handle's own (or the name-based
// calls' cached one), and `try_fd`, its non-blocking twin or -1.
// `nonblocking`: a full or empty queue fails the call (PMQ_EAGAIN) rather
// than making it wait.  A name-based call has no twin and no interruption;
// when it waits forever the kernel waits, as in 1.0.
struct Descriptors {
    mqd_t fd;
    mqd_t try_fd;
    // Read only when the first attempt fails: off the hot path.
    const std::atomic<bool> *nonblocking;
};

// What the first attempt's errno means for what follows: EAGAIN from the
// twin is "not ready", which on a blocking handle is what an expired
// deadline says (ETIMEDOUT: may wait).
inline int first_attempt_error(int err, const Descriptors &d)
{
    return err == EAGAIN && !d.nonblocking->load(std::memory_order_relaxed) ? ETIMEDOUT : err;
}

// timeout_ms: < 0 waits forever (unless the handle is non-blocking),
// 0 never waits, > 0 waits at most that long.
[[gnu::always_inline]] inline Status send_message(Descriptors d, Interruption *interruption,
                                                 const void *msg, std::size_t len,
                                                 unsigned priority, int timeout_ms, CallSite site)
{
    // glibc declares the buffer nonnull; a zero-length message may come as NULL.
    const char *bytes = msg != nullptr ? static_cast<const char *>(msg) : "";
    int err;
    if (d.try_fd != static_cast<mqd_t>(-1)) [[likely]] {
        if (::mq_send(d.try_fd, bytes, len, priority) == 0) [[likely]]
            return {};
        err = first_attempt_error(errno, d);
    } else if (interruption == nullptr && timeout_ms < 0) {
        if (::mq_send(d.fd, bytes, len, priority) == 0) [[likely]]
            return {};
        err = errno;
    } else {
        if (::mq_timedsend(d.fd, bytes, len, priority, &already_expired) == 0) [[likely]]
            return {};
        err = errno;
    }
    return send_after_failure(err, d.fd, interruption, msg, len, priority, timeout_ms, site);
}

[[gnu::always_inline]] inline Status receive_message(Descriptors d, Interruption *interruption,
                                                    void *buf, std::size_t cap,
                                                    unsigned *priority, int timeout_ms,
                                                    CallSite site, std::size_t *length)
{
    char *bytes = static_cast<char *>(buf);
    ssize_t n;
    int err = 0;
    if (d.try_fd != static_cast<mqd_t>(-1)) [[likely]] {
        if ((n = ::mq_receive(d.try_fd, bytes, cap, priority)) < 0)
            err = first_attempt_error(errno, d);
    } else if (interruption == nullptr && timeout_ms < 0) {
        if ((n = ::mq_receive(d.fd, bytes, cap, priority)) < 0)
            err = errno;
    } else {
        if ((n = ::mq_timedreceive(d.fd, bytes, cap, priority, &already_expired)) < 0)
            err = errno;
    }
    if (n < 0) [[unlikely]]
        return receive_after_failure(err, d.fd, interruption, buf, cap, priority, timeout_ms,
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
