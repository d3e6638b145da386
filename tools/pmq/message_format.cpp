#include "message_format.hpp"

#include "json_text.hpp"

#include <nlohmann/json.hpp>


namespace pmq_cli {

namespace {

std::string json_line(std::string_view message, unsigned priority)
{
    nlohmann::json object = {
        {"length", message.size()},
        {"priority", priority},
        {"hex", hex_digits(message)},
    };
    if (is_valid_utf8(message))
        object["text"] = std::string(message);
    return object.dump();
}

} // namespace

std::optional<MessageFormat> message_format_named(const std::string &name)
{
    if (name == "text")
        return MessageFormat::text;
    if (name == "hex")
        return MessageFormat::hex;
    if (name == "json")
        return MessageFormat::json;
    return std::nullopt;
}

std::string formatted_message(MessageFormat format, std::string_view message, unsigned priority,
                              bool show_priority)
{
    if (format == MessageFormat::json)
        return json_line(message, priority) + '\n';
    std::string out;
    if (show_priority)
        out += std::to_string(priority) + '\t';
    if (format == MessageFormat::hex)
        out += hex_digits(message);
    else
        out += message;
    out += '\n';
    return out;
}

} // namespace pmq_cli
