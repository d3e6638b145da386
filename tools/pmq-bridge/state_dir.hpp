// The directory that holds what a bridge must remember across a crash.
#pragma once

#include <string>

namespace pmq_bridge {

// --state-dir, else $STATE_DIRECTORY (systemd's StateDirectory=), else
// /var/lib/pmq-bridge/QUEUE (without its '/'), so that bridges of different
// queues on one host never share a spool.
std::string resolve_state_dir(const std::string &given, const std::string &queue);

// Creates it 0700 if missing (parents too); throws Fatal if it cannot.
void prepare_state_dir(const std::string &dir);

// Holds an exclusive lock on DIR/<role>.lock for the life of the process, so
// two bridges never share one spool. Throws Fatal naming the other's pid.
class StateLock {
public:
    StateLock(const std::string &dir, const std::string &role);
    ~StateLock();
    StateLock(const StateLock &) = delete;
    StateLock &operator=(const StateLock &) = delete;

private:
    int fd_ = -1;
};

} // namespace pmq_bridge
