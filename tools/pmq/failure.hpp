// One-line failure reports on standard error, "pmq: <explanation>".
#pragma once

#include "exit_status.hpp"

#include <string_view>

namespace pmq_cli {

// Reports pmq_last_error() (the library's explanation of its last failure).
ExitStatus report_library_failure();

// Reports a failure the tool itself detected.
ExitStatus report_failure(std::string_view explanation);

} // namespace pmq_cli
