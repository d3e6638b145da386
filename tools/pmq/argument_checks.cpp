#include "argument_checks.hpp"

#include <pmq/pmq.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

namespace pmq_cli {

namespace {

// The value of a string of decimal digits, or none when it is not one or
// does not fit 64 bits.
std::optional<std::uint64_t> decimal_value(const std::string &text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    errno = 0;
    const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE)
        return std::nullopt;
    return static_cast<std::uint64_t>(value);
}

// The kernel's own ceilings on a queue's size (HARD_MSGMAX, HARD_MSGSIZEMAX
// since Linux 3.5, see mq_overview(7)): no setting or privilege goes beyond.
constexpr std::uint64_t kernel_max_messages = 65536;
constexpr std::uint64_t kernel_message_size = 16777216;

} // namespace

CLI::Validator whole_number_in(std::function<NumberRange()> range)
{
    return CLI::Validator(
        [range](std::string &text) -> std::string {
            const NumberRange allowed = range();
            const std::optional<std::uint64_t> value = decimal_value(text);
            if (value && *value >= allowed.min && *value <= allowed.max)
                return {};
            std::string message = "'" + text + "' is not a whole number from " +
                                  std::to_string(allowed.min) + " to " + std::to_string(allowed.max);
            if (!allowed.why.empty())
                message += " (" + allowed.why + ")";
            return message;
        },
        "N");
}

NumberRange count_range()
{
    return {1, std::numeric_limits<unsigned long>::max(), ""};
}

NumberRange timeout_range()
{
    return {0, static_cast<std::uint64_t>(INT_MAX), "milliseconds, about 24 days"};
}

NumberRange priority_range()
{
    pmq_limits limits{};
    if (pmq_get_limits(&limits) == 0 && limits.prio_max > 0)
        return {0, static_cast<std::uint64_t>(limits.prio_max) - 1,
                "prio_max - 1 on this system; see 'pmq limits'"};
    return {0, std::numeric_limits<unsigned>::max(), "the system does not state prio_max"};
}

NumberRange max_messages_range()
{
    return {0, kernel_max_messages,
            "0: the system default; beyond fs.mqueue.msg_max needs CAP_SYS_RESOURCE"};
}

NumberRange message_size_range()
{
    return {0, kernel_message_size,
            "bytes; 0: the system default; beyond fs.mqueue.msgsize_max needs CAP_SYS_RESOURCE"};
}

const CLI::Validator permission_bits(
    [](const std::string &text) -> std::string {
        if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos)
            return "mode '" + text + "' is not octal permission bits such as 0600 or 660";
        if (std::stoul(text, nullptr, 8) > 0777)
            return "mode '" + text + "' is beyond 0777: only permission bits are allowed";
        return {};
    },
    "OCTAL");

} // namespace pmq_cli
