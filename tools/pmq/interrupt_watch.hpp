// `pmq recv --follow` ends on SIGINT or SIGTERM, but only between messages:
// the signals stay blocked except while waiting, so a message being written
// is always finished, and a signal can never slip in before a wait starts.
#pragma once

#include <signal.h>

namespace pmq_cli {

class InterruptWatch {
public:
    InterruptWatch();  // installs the handlers and blocks the signals
    ~InterruptWatch(); // restores both
    InterruptWatch(const InterruptWatch &) = delete;
    InterruptWatch &operator=(const InterruptWatch &) = delete;

    enum class Wait { readable, timed_out, interrupted };

    // Waits until fd is readable, timeout_ms (< 0: forever) has passed, or
    // SIGINT / SIGTERM arrived.
    Wait wait_readable(int fd, int timeout_ms) const;

private:
    sigset_t previous_mask_{};
    struct sigaction previous_int_{};
    struct sigaction previous_term_{};
};

} // namespace pmq_cli
