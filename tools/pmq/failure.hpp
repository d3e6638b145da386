// One-line failure reports on standard error, "pmq: <explanation>".
#pragma once

#include "exit_status.hpp"

#include <string>
#include <string_view>

namespace pmq_cli {

// Reports pmq_last_error() (the library's explanation of its last failure),
// in the tool's words: see in_tool_words.
ExitStatus report_library_failure();

// Reports a failure the tool itself detected.
ExitStatus report_failure(std::string_view explanation);

// The library speaks C ("pmq_create(\"/jobs\"): ... drop PMQ_EXCL"); users of
// the tool read "/jobs: ... leave out --exclusive".  Every translation from
// the library's vocabulary to the tool's is made here and nowhere else.
std::string in_tool_words(std::string_view library_explanation);

} // namespace pmq_cli
