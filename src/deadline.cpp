#include "deadline.hpp"

namespace pmq::detail {

namespace {
constexpr long nanos_per_second = 1000000000L;
}

Deadline::Deadline(int timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, &at_);
    at_.tv_sec += timeout_ms / 1000;
    at_.tv_nsec += static_cast<long>(timeout_ms % 1000) * 1000000L;
    if (at_.tv_nsec >= nanos_per_second) {
        at_.tv_sec += 1;
        at_.tv_nsec -= nanos_per_second;
    }
}

bool Deadline::remaining(struct timespec *left) const
{
    struct timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    left->tv_sec = at_.tv_sec - now.tv_sec;
    left->tv_nsec = at_.tv_nsec - now.tv_nsec;
    if (left->tv_nsec < 0) {
        left->tv_sec -= 1;
        left->tv_nsec += nanos_per_second;
    }
    return left->tv_sec > 0 || (left->tv_sec == 0 && left->tv_nsec > 0);
}

} // namespace pmq::detail
