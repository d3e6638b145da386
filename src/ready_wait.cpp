#include "ready_wait.hpp"

#include <poll.h>

#include <cerrno>

#include "signal_restart.hpp"

namespace pmq::detail {

namespace {

constexpr long nanos_per_ms = 1000000L;

bool shorter(const struct timespec &a, const struct timespec &b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

} // namespace

int wait_ready(mqd_t fd, short events, const Deadline *deadline,
               const Interruption::Waiter *waiter, short *ready)
{
    const int wake_fd = waiter != nullptr ? waiter->wake_fd() : -1;
    // Without an eventfd to wake it, an interruptible wait looks in slices.
    const bool sliced = waiter != nullptr && wake_fd < 0;
    for (;;) {
        if (waiter != nullptr && waiter->fired())
            return ECANCELED;
        struct timespec left {};
        const struct timespec *limit = nullptr;
        if (deadline != nullptr) {
            if (!deadline->remaining(&left))
                return ETIMEDOUT;
            limit = &left;
        }
        const struct timespec slice = {0, Interruption::Waiter::slice_ms * nanos_per_ms};
        if (sliced && (limit == nullptr || shorter(slice, *limit)))
            limit = &slice;

        struct pollfd polled[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
        const int n = ::ppoll(polled, wake_fd >= 0 ? 2 : 1, limit, nullptr);
        if (n < 0) {
            const int err = errno;
            if (err != EINTR)
                return err;
            if (waiter != nullptr && waiter->fired())
                return ECANCELED;
            if (deadline == nullptr && handlers_ask_for_restart())
                continue;
            return EINTR;
        }
        if (wake_fd >= 0 && polled[1].revents != 0)
            return ECANCELED;
        if (polled[0].revents & POLLNVAL)
            return EBADF;
        if (polled[0].revents != 0) {
            *ready = static_cast<short>(polled[0].revents & events);
            return 0;
        }
        // n == 0: the deadline or a slice ended; the loop tells which.
    }
}

} // namespace pmq::detail
