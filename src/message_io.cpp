#include "message_io.hpp"

#include <poll.h>

#include <cerrno>
#include <optional>

#include "deadline.hpp"
#include "ready_wait.hpp"

namespace pmq::detail {

namespace {

enum class Direction { send, receive };

long queue_message_size(mqd_t fd)
{
    struct mq_attr attr {};
    return ::mq_getattr(fd, &attr) == 0 ? attr.mq_msgsize : -1;
}

Status explain_failure(int err, Direction dir, mqd_t fd, std::size_t size, int timeout_ms,
                       CallSite site)
{
    const bool sending = dir == Direction::send;
    switch (err) {
    case EAGAIN:
        return fail(Errc::would_block,
                    "%s(\"%s\"): the queue is %s and the handle is non-blocking; wait for it "
                    "with poll() on pmq_fd(), or use a timeout",
                    site.operation, site.name, sending ? "full" : "empty");
    case ETIMEDOUT:
        if (timeout_ms == 0)
            return fail(Errc::would_block,
                        "%s(\"%s\"): the queue is %s and the timeout is 0 (do not wait)",
                        site.operation, site.name, sending ? "full" : "empty");
        return fail(Errc::timed_out, "%s(\"%s\"): the queue stayed %s for the whole %d ms",
                    site.operation, site.name, sending ? "full" : "empty", timeout_ms);
    case ECANCELED:
        return fail(Errc::canceled,
                    "%s(\"%s\"): pmq_interrupt was called on this handle, so calls that would "
                    "wait on it return at once until pmq_resume",
                    site.operation, site.name);
    case EINTR:
        return fail(Errc::interrupted,
                    "%s(\"%s\"): a signal handler interrupted the wait; call again to go on "
                    "waiting",
                    site.operation, site.name);
    case EMSGSIZE:
        if (sending)
            return fail(Errc::message_size,
                        "%s(\"%s\"): the message is %zu bytes, more than the queue's "
                        "message_size of %ld bytes; send less or create the queue with a larger "
                        "message_size",
                        site.operation, site.name, size, queue_message_size(fd));
        return fail(Errc::message_size,
                    "%s(\"%s\"): the buffer holds %zu bytes but the queue's message_size is %ld; "
                    "the kernel needs room for the largest message, so pass a buffer of at least "
                    "message_size bytes (pmq_getattr tells it); nothing was received",
                    site.operation, site.name, size, queue_message_size(fd));
    case EBADF:
        return fail(Errc::bad_direction, "%s(\"%s\"): the descriptor is not open for %s",
                    site.operation, site.name, sending ? "sending" : "receiving");
    default: {
        char text[96];
        return fail(Errc::system, "%s(\"%s\"): %s failed with %s", site.operation, site.name,
                    sending ? "sending" : "receiving", describe_errno(err, text, sizeof text));
    }
    }
}

// How long an endless call first waits inside the kernel's own
// mq_timedsend/mq_timedreceive.  A blocked caller there is handed the
// message (or the room) by the other side in one step, as in 1.0; a caller
// woken from ppoll needs another system call, which cost 25-50% of a
// two-process round trip on the 2-CPU machines this was measured on.
// pmq_interrupt cannot wake a call inside the kernel, so the slice bounds how
// late it may notice (the promise is 10 ms).  A message that takes longer
// than the slice to come costs the extra call, which by then is cheap.
constexpr long kernel_slice_ns = 4000000;

// CLOCK_REALTIME, the kernel's clock for these deadlines, `ns` from now.  A
// wall clock set back during the slice stretches it by as much: documented.
struct timespec realtime_after(long ns)
{
    struct timespec at {};
    ::clock_gettime(CLOCK_REALTIME, &at);
    at.tv_nsec += ns;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec += 1;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

// After a first attempt found the queue full or empty: waits until it is
// ready and calls attempt(deadline) (0, or the errno of its failure) again,
// until it does something other than find the queue not ready (ETIMEDOUT).
// attempt(nullptr) waits in the kernel for as long as it takes.
template <class Attempt>
int wait_then_retry(mqd_t fd, short events, Interruption *interruption, int timeout_ms,
                    Attempt attempt)
{
    // The name-based calls cannot be interrupted: the kernel waits, as in 1.0.
    if (interruption == nullptr && timeout_ms < 0)
        return attempt(nullptr);
    Interruption::Waiter waiter;
    if (interruption != nullptr && !interruption->begin_wait(waiter))
        return ECANCELED;
    if (timeout_ms < 0) {
        // The kernel restarts this wait itself for an SA_RESTART handler.
        const struct timespec slice = realtime_after(kernel_slice_ns);
        if (const int err = attempt(&slice); err != ETIMEDOUT)
            return err;
    }
    std::optional<Deadline> deadline;
    if (timeout_ms > 0)
        deadline.emplace(timeout_ms);
    for (;;) {
        short ready = 0;
        if (const int err = wait_ready(fd, events, deadline ? &*deadline : nullptr,
                                       interruption != nullptr ? &waiter : nullptr, &ready);
            err != 0)
            return err;
        if (const int err = attempt(&already_expired); err != ETIMEDOUT)
            return err; // done (0), or a failure another taker caused nothing to do with
    }
}

} // namespace

Status explain_send_arguments(const void *msg, std::size_t len, unsigned priority, CallSite site)
{
    if (msg == nullptr && len != 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): the message pointer is NULL but its length is %zu",
                    site.operation, site.name, len);
    if (priority >= prio_max)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): priority %u is out of range; priorities are 0 .. %u",
                    site.operation, site.name, priority, prio_max - 1);
    return {};
}

Status explain_receive_arguments(CallSite site)
{
    return fail(Errc::invalid_argument,
                "%s(\"%s\"): the receive buffer is NULL; pass a buffer of at least the "
                "queue's message_size bytes",
                site.operation, site.name);
}

Status send_after_failure(int err, mqd_t fd, Interruption *interruption, const void *msg,
                          std::size_t len, unsigned priority, int timeout_ms, CallSite site)
{
    // glibc declares the buffer nonnull; a zero-length message may come as NULL.
    const char *bytes = msg != nullptr ? static_cast<const char *>(msg) : "";
    if (err == ETIMEDOUT && timeout_ms != 0)
        err = wait_then_retry(fd, POLLOUT, interruption, timeout_ms,
                              [&](const struct timespec *deadline) {
                                  // glibc declares the deadline nonnull
                                  const int rc =
                                      deadline != nullptr
                                          ? ::mq_timedsend(fd, bytes, len, priority, deadline)
                                          : ::mq_send(fd, bytes, len, priority);
                                  return rc == 0 ? 0 : errno;
                              });
    if (err == 0)
        return {};
    return explain_failure(err, Direction::send, fd, len, timeout_ms, site);
}

Status receive_after_failure(int err, mqd_t fd, Interruption *interruption, void *buf,
                             std::size_t cap, unsigned *priority, int timeout_ms, CallSite site,
                             std::size_t *length)
{
    char *bytes = static_cast<char *>(buf);
    if (err == ETIMEDOUT && timeout_ms != 0)
        err = wait_then_retry(fd, POLLIN, interruption, timeout_ms,
                              [&](const struct timespec *deadline) {
            const ssize_t n = deadline != nullptr
                                  ? ::mq_timedreceive(fd, bytes, cap, priority, deadline)
                                  : ::mq_receive(fd, bytes, cap, priority);
            if (n < 0)
                return errno;
            *length = static_cast<std::size_t>(n);
            return 0;
        });
    if (err == 0)
        return {};
    return explain_failure(err, Direction::receive, fd, cap, timeout_ms, site);
}

} // namespace pmq::detail
