// The processes pmq-bench-bridge starts (nats-server, the two hosts, the
// bridges), its scratch directory, and the trap that stops and removes them
// all when the run ends early, so that no run leaves anything behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bridge_bench {

// "pmq-bench-bridge: <what>: <reason>" on stderr, then exit status 1 (the
// trap stops what this process started).
[[noreturn]] void die(const std::string &what, const std::string &reason);

// A fresh directory under $TMPDIR (or /tmp), removed by stop_everything().
std::string make_scratch_directory();

// Runs `argv` with stdout and stderr appended to `log_path`; it gets SIGTERM
// if this process dies, so that nothing outlives the run.  Remembered for
// stop_everything().
pid_t spawn(const std::vector<std::string> &argv, const std::string &log_path);

// Forks a child that also gets SIGTERM if this process dies; returns its pid
// in the parent and 0 in the child.  Remembered for stop_everything().
pid_t fork_child();

// SIGTERM, then waits for it (SIGKILL after `grace_ms`); returns its wait status.
int stop(pid_t pid, int grace_ms = 10000);

// True while `pid` (a child of this process) has not exited.
bool running(pid_t pid);

// Stops every child this process started and, in the process that made it,
// removes the scratch directory.  Safe to call twice.
void stop_everything();

// On SIGINT, SIGTERM and SIGHUP: stop_everything(), then die of the signal.
void stop_everything_on_signals();

} // namespace bridge_bench
