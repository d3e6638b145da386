// What pmq-bench does when a call fails: say which and stop.  The queues it
// created are unlinked first, so a failed run leaves none behind.
#pragma once

namespace bench {

// Remembers a queue to unlink if the run stops early (parent process only).
void track_queue(const char *name);
void untrack_queue(const char *name);

// "<what>: <reason>" on stderr, then exit status 1.
[[noreturn]] void die(const char *what, const char *reason);
// The reason is errno's text.
[[noreturn]] void die_errno(const char *what);
// The reason is pmq_last_error().
[[noreturn]] void die_pmq(const char *what);

} // namespace bench
