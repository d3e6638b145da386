#include "waiting.hpp"

#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <optional>

#include "deadline.hpp"
#include "queue_state.hpp"
#include "ready_wait.hpp"

namespace pmq::detail {

namespace {

constexpr const char *op = "pmq_wait";

short poll_events(unsigned events)
{
    return static_cast<short>(((events & open_flag::read) ? POLLIN : 0) |
                              ((events & open_flag::write) ? POLLOUT : 0));
}

unsigned ready_events(short revents)
{
    return ((revents & POLLIN) ? open_flag::read : 0u) |
           ((revents & POLLOUT) ? open_flag::write : 0u);
}

// "empty", "full", or "empty and full" (no message and no room: the
// directions the caller asked about, not a contradiction).
const char *not_ready_state(unsigned events)
{
    if (events == (open_flag::read | open_flag::write))
        return "without a message and without room";
    return (events & open_flag::read) ? "empty" : "full";
}

Status explain_wait_failure(int err, const Queue &q, unsigned events, int timeout_ms)
{
    const char *name = q.name.c_str();
    switch (err) {
    case ETIMEDOUT:
        return fail(Errc::timed_out, "%s(\"%s\"): the queue stayed %s for the whole %d ms", op,
                    name, not_ready_state(events), timeout_ms);
    case EINTR:
        return fail(Errc::interrupted,
                    "%s(\"%s\"): a signal handler interrupted the wait; call again to go on "
                    "waiting",
                    op, name);
    case ECANCELED:
        return fail(Errc::canceled,
                    "%s(\"%s\"): pmq_interrupt was called on this handle, so calls that would "
                    "wait on it return at once until pmq_resume",
                    op, name);
    default: {
        char text[96];
        return fail(Errc::system, "%s(\"%s\"): poll failed with %s", op, name,
                    describe_errno(err, text, sizeof text));
    }
    }
}

Status check_events(const Queue &q, unsigned events)
{
    constexpr unsigned directions = open_flag::read | open_flag::write;
    if (events == 0 || (events & ~directions) != 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): events 0x%x must be PMQ_READ (a message is waiting), PMQ_WRITE "
                    "(there is room) or both, and nothing else",
                    op, q.name.c_str(), events);
    if ((events & ~q.directions) != 0) {
        const bool read = (events & ~q.directions & open_flag::read) != 0;
        return fail(Errc::bad_direction,
                    "%s(\"%s\"): the handle was opened without %s, so it cannot wait for %s; "
                    "open the queue with %s",
                    op, q.name.c_str(), read ? "PMQ_READ" : "PMQ_WRITE",
                    read ? "a message (PMQ_READ)" : "room (PMQ_WRITE)",
                    read ? "PMQ_READ" : "PMQ_WRITE");
    }
    return {};
}

} // namespace

Status queue_wait(Queue &q, unsigned events, int timeout_ms, unsigned *ready)
{
    if (Status s = check_events(q, events); !s.ok())
        return s;
    const short wanted = poll_events(events);

    // Look first: a ready queue needs no eventfd, no lock, no clock.
    struct pollfd now = {q.fd, wanted, 0};
    if (::poll(&now, 1, 0) < 0)
        return explain_wait_failure(errno, q, events, timeout_ms);
    if ((now.revents & wanted) != 0) {
        *ready = ready_events(now.revents);
        return {};
    }
    if (timeout_ms == 0)
        return fail(Errc::would_block, "%s(\"%s\"): the queue is %s and the timeout is 0 (do not "
                                       "wait)",
                    op, q.name.c_str(), not_ready_state(events));
    const int status_flags = ::fcntl(q.fd, F_GETFL);
    if (status_flags >= 0 && (status_flags & O_NONBLOCK) != 0)
        return fail(Errc::would_block,
                    "%s(\"%s\"): the queue is %s and the handle is non-blocking, so it never "
                    "waits; make it blocking with pmq_set_nonblocking(q, 0), or poll pmq_fd()",
                    op, q.name.c_str(), not_ready_state(events));

    Interruption::Waiter waiter;
    if (!q.interruption.begin_wait(waiter))
        return explain_wait_failure(ECANCELED, q, events, timeout_ms);
    std::optional<Deadline> deadline;
    if (timeout_ms > 0)
        deadline.emplace(timeout_ms);
    short revents = 0;
    if (const int err = wait_ready(q.fd, wanted, deadline ? &*deadline : nullptr, &waiter,
                                   &revents);
        err != 0)
        return explain_wait_failure(err, q, events, timeout_ms);
    *ready = ready_events(revents);
    return {};
}

Status queue_interrupt(Queue &q)
{
    q.interruption.interrupt();
    return {};
}

Status queue_resume(Queue &q)
{
    q.interruption.resume();
    return {};
}

} // namespace pmq::detail
