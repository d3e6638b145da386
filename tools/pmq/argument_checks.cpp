#include "argument_checks.hpp"

#include <string>

namespace pmq_cli {

namespace {

bool all_decimal_digits(const std::string &text)
{
    return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

} // namespace

const CLI::Validator whole_number(
    [](const std::string &text) -> std::string {
        if (!all_decimal_digits(text))
            return "'" + text + "' is not a whole number >= 0";
        return {};
    },
    "N>=0");

const CLI::Validator positive_whole_number(
    [](const std::string &text) -> std::string {
        if (!all_decimal_digits(text) || text.find_first_not_of('0') == std::string::npos)
            return "'" + text + "' is not a whole number >= 1";
        return {};
    },
    "N>=1");

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
