// Queue names on the command line: "/jobs" or, for convenience, "jobs".
#pragma once

#include <string>

namespace pmq_cli {

// The name the library expects: the argument with a leading '/' added when it
// has none.  Everything else (length, embedded '/') is the library's to judge.
std::string queue_name(const std::string &argument);

} // namespace pmq_cli
