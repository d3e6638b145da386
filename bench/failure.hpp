// What pmq-bench does when a call fails or it is interrupted: say why and
// stop, after unlinking the queues it created, so that no run leaves any behind.
#pragma once

namespace bench {

// Remembers a queue to unlink if the run stops early (names up to 63 bytes).
void track_queue(const char *name);
void untrack_queue(const char *name);

// Unlinks the tracked queues on SIGINT, SIGTERM and SIGHUP, then dies of the signal.
void unlink_queues_on_signals();

// "<what>: <reason>" on stderr, then exit status 1.
[[noreturn]] void die(const char *what, const char *reason);
// The reason is errno's text.
[[noreturn]] void die_errno(const char *what);
// The reason is pmq_last_error().
[[noreturn]] void die_pmq(const char *what);

} // namespace bench
