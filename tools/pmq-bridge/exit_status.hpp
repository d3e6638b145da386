// The exit statuses of pmq-bridge, as documented in docs/bridge.md.
#pragma once

#include <string>

namespace pmq_bridge {

enum class ExitStatus : int {
    success = 0, // stopped by SIGTERM/SIGINT after parking what was in flight
    failure = 1, // something waiting cannot fix: bad credentials, missing queue, ...
    usage = 2,   // bad command line; nothing was changed
};

// Thrown for what waiting cannot fix; main() logs it and exits with `status`.
struct Fatal {
    ExitStatus status;
    std::string explanation;
};

} // namespace pmq_bridge
