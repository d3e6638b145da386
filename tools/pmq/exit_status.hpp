// The exit statuses of pmq, as documented in pmq(1).
#pragma once

namespace pmq_cli {

enum class ExitStatus : int {
    success = 0,
    failure = 1,   // the operation failed; one line on stderr says why
    usage = 2,     // bad command line; nothing was changed
    timed_out = 3, // --timeout or --nonblock ended a send or receive first
};

} // namespace pmq_cli
