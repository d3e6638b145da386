// Checks on option values, with messages that say what is expected: a value
// they refuse is a usage error (exit 2) and nothing is done.
#pragma once

#include <CLI/CLI.hpp>

namespace pmq_cli {

// A whole number >= 0 ("0", "42"; not "-1", "1.5", "abc").
extern const CLI::Validator whole_number;

// A whole number >= 1.
extern const CLI::Validator positive_whole_number;

// Permission bits as chmod(1) writes them: octal digits, at most 0777.
extern const CLI::Validator permission_bits;

} // namespace pmq_cli
