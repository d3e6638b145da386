// `pmq recv --follow` ends on SIGINT or SIGTERM, but only between messages:
// the signals stay blocked except while waiting, so a message being written
// is always finished, and a signal can never slip in before a wait starts.
#pragma once

#include "message_wait.hpp"

#include <signal.h>

namespace pmq_cli {

class InterruptWatch {
public:
    InterruptWatch();  // installs the handlers and blocks the signals
    ~InterruptWatch(); // restores both
    InterruptWatch(const InterruptWatch &) = delete;
    InterruptWatch &operator=(const InterruptWatch &) = delete;

    // As wait_for_message, with SIGINT and SIGTERM let through only while
    // waiting; `interrupted` once either has arrived.
    MessageWait wait(int queue_fd, int output_fd, const Deadline &deadline) const;

private:
    sigset_t previous_mask_{};
    struct sigaction previous_int_{};
    struct sigaction previous_term_{};
};

} // namespace pmq_cli
