// A timeout measured on CLOCK_MONOTONIC, so that setting the wall clock
// neither shortens nor stretches a wait.
#pragma once

#include <time.h>

namespace pmq::detail {

class Deadline {
public:
    // timeout_ms > 0: that many milliseconds from now.
    explicit Deadline(int timeout_ms);

    // The time left, for ppoll(); false once the deadline has passed.
    bool remaining(struct timespec *left) const;

private:
    struct timespec at_ {};
};

} // namespace pmq::detail
