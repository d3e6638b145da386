// Checks on option values, with messages that say what is expected: a value
// they refuse is a usage error (exit 2) and nothing is done.
#pragma once

// CLI::Validator only (and the errors it throws): all of CLI11 costs seconds per file.
#include <CLI/Error.hpp>
#include <CLI/Validators.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace pmq_cli {

// The whole numbers an option takes, and why the bounds are what they are
// ("" when the type alone sets them).
struct NumberRange {
    std::uint64_t min;
    std::uint64_t max;
    std::string why;
};

// The one rule for every numeric option: a whole decimal number within the
// option's range.  Anything else (a sign, a fraction, a word, a number too
// large) is refused with the same message, which CLI11 prefixes with the
// option: "--priority: '40000' is not a whole number from 0 to 32767 (...)".
// The range is asked for only when a value is checked, so a range read from
// the system (prio_max) costs nothing when the option is not given.
CLI::Validator whole_number_in(std::function<NumberRange()> range);

// The ranges of pmq's numeric options (documented in pmq(1)).
NumberRange count_range();         // --count: 1 .. 2^64-1
NumberRange timeout_range();       // --timeout: 0 .. INT_MAX milliseconds
NumberRange priority_range();      // --priority: 0 .. prio_max-1
NumberRange max_messages_range();  // --max-messages: 0 .. the kernel's ceiling
NumberRange message_size_range();  // --message-size: 0 .. the kernel's ceiling

// Permission bits as chmod(1) writes them: octal digits, at most 0777.
extern const CLI::Validator permission_bits;

} // namespace pmq_cli
