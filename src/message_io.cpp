#include "message_io.hpp"

#include <poll.h>

#include <cerrno>

#include "deadline.hpp"

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
    case EAGAIN: // only a non-blocking handle gets it, whatever the timeout
        if (timeout_ms > 0)
            return fail(Errc::would_block,
                        "%s(\"%s\"): the queue is %s and the handle is non-blocking, so it did "
                        "not wait the %d ms given (a non-blocking handle never waits); make it "
                        "blocking with pmq_set_nonblocking(q, 0) for the timeout to apply, or "
                        "wait with poll() on pmq_fd()",
                        site.operation, site.name, sending ? "full" : "empty", timeout_ms);
        return fail(Errc::would_block,
                    "%s(\"%s\"): the queue is %s and the handle is non-blocking; wait for %s "
                    "with poll() on pmq_fd(), or make the handle blocking with "
                    "pmq_set_nonblocking(q, 0)",
                    site.operation, site.name, sending ? "full" : "empty",
                    sending ? "room" : "a message");
    case ETIMEDOUT:
        if (timeout_ms == 0)
            return fail(Errc::would_block,
                        "%s(\"%s\"): the queue is %s and the timeout is 0 (do not wait)",
                        site.operation, site.name, sending ? "full" : "empty");
        return fail(Errc::timed_out, "%s(\"%s\"): the queue stayed %s for the whole %d ms",
                    site.operation, site.name, sending ? "full" : "empty", timeout_ms);
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

// Waits on CLOCK_MONOTONIC until the descriptor is ready for `events` or the
// deadline passes.  Returns 0 when ready, else the errno to explain.
int wait_ready(mqd_t fd, short events, const Deadline &deadline)
{
    struct timespec left {};
    if (!deadline.remaining(&left))
        return ETIMEDOUT;
    struct pollfd pfd = {fd, events, 0};
    const int n = ::ppoll(&pfd, 1, &left, nullptr);
    if (n < 0)
        return errno;
    return n == 0 ? ETIMEDOUT : 0;
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

Status send_after_failure(int err, mqd_t fd, const void *msg, std::size_t len,
                          unsigned priority, int timeout_ms, CallSite site)
{
    // glibc declares the buffer nonnull; a zero-length message may come as NULL.
    const char *bytes = msg != nullptr ? static_cast<const char *>(msg) : "";
    if (err == ETIMEDOUT && timeout_ms > 0) {
        const Deadline deadline(timeout_ms);
        while ((err = wait_ready(fd, POLLOUT, deadline)) == 0) {
            if (::mq_timedsend(fd, bytes, len, priority, &already_expired) == 0)
                return {};
            if ((err = errno) != ETIMEDOUT)
                break;
        }
    }
    return explain_failure(err, Direction::send, fd, len, timeout_ms, site);
}

Status receive_after_failure(int err, mqd_t fd, void *buf, std::size_t cap, unsigned *priority,
                             int timeout_ms, CallSite site, std::size_t *length)
{
    char *bytes = static_cast<char *>(buf);
    if (err == ETIMEDOUT && timeout_ms > 0) {
        const Deadline deadline(timeout_ms);
        while ((err = wait_ready(fd, POLLIN, deadline)) == 0) {
            const ssize_t n = ::mq_timedreceive(fd, bytes, cap, priority, &already_expired);
            if (n >= 0) {
                *length = static_cast<std::size_t>(n);
                return {};
            }
            if ((err = errno) != ETIMEDOUT)
                break;
        }
    }
    return explain_failure(err, Direction::receive, fd, cap, timeout_ms, site);
}

} // namespace pmq::detail
