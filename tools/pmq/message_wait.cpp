#include "message_wait.hpp"

#include <poll.h>

#include <cerrno>

namespace pmq_cli {

Deadline deadline_after(int timeout_ms)
{
    if (timeout_ms < 0)
        return std::nullopt;
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
}

MessageWait wait_for_message(int queue_fd, int output_fd, const Deadline &deadline,
                             const sigset_t *mask)
{
    struct timespec remaining {};
    struct timespec *limit = nullptr;
    if (deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(
            *deadline - std::chrono::steady_clock::now());
        if (left.count() > 0) {
            remaining.tv_sec = static_cast<time_t>(left.count() / 1000000000);
            remaining.tv_nsec = static_cast<long>(left.count() % 1000000000);
        }
        limit = &remaining;
    }
    // No events asked of the output: poll reports POLLERR (a pipe without
    // reader), POLLHUP and POLLNVAL whatever is asked.
    struct pollfd watched[2] = {{output_fd, 0, 0}, {queue_fd, POLLIN, 0}};
    const int ready = ppoll(watched, 2, limit, mask);
    if (ready < 0)
        return errno == EINTR ? MessageWait::interrupted : MessageWait::failed;
    if (watched[0].revents & (POLLERR | POLLHUP | POLLNVAL))
        return MessageWait::output_closed;
    // Anything on the queue's descriptor, error included, is for the receive
    // to find out and explain.
    if (watched[1].revents != 0)
        return MessageWait::message_waiting;
    return MessageWait::timed_out;
}

} // namespace pmq_cli
