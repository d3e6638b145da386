// `pmq recv` waits for a message and, at the same time, for the reader of its
// standard output to go away: a message is taken only when there is one and
// it can still be written somewhere.
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>

namespace pmq_cli {

using Deadline = std::optional<std::chrono::steady_clock::time_point>; // none: forever

// A deadline timeout_ms from now (< 0: none).
Deadline deadline_after(int timeout_ms);

enum class MessageWait {
    message_waiting, // queue_fd is readable (another reader may still take it first)
    output_closed,   // output_fd reports an error or hang-up: its reader went away
    timed_out,
    interrupted, // a signal handler ran (EINTR)
    failed,      // ppoll itself failed; errno says why
};

// Waits with ppoll(2) on both descriptors; `mask` is the signal mask to wait
// with (nullptr: the current one).  A closed output wins over a waiting
// message, so nothing is taken that could not be written.
MessageWait wait_for_message(int queue_fd, int output_fd, const Deadline &deadline,
                             const sigset_t *mask);

} // namespace pmq_cli
