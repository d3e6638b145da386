// The reliability suites run in a private IPC namespace when the system lets
// them (root, or `unshare --ipc`): there they may change /proc/sys/fs/mqueue/*
// without touching the host, and no queue they create can outlive them.
#pragma once

#include <cstdint>
#include <string>

namespace pmq_test {

// True once main() has moved this process into a namespace of its own.
bool in_private_ipc();

// Reads / writes /proc/sys/fs/mqueue/<key> (e.g. "msg_max"); -1 / false on failure.
std::int64_t read_mqueue_sysctl(const std::string &key);
bool write_mqueue_sysctl(const std::string &key, std::int64_t value);

} // namespace pmq_test
