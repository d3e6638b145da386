#include "message_format.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace pmq_cli {

namespace {

std::string hex_digits(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        hex += digits[byte >> 4];
        hex += digits[byte & 0x0f];
    }
    return hex;
}

std::string json_line(std::string_view message, unsigned priority)
{
    nlohmann::json object = {
        {"length", message.size()},
        {"priority", priority},
        {"hex", hex_digits(message)},
    };
    // nlohmann::json refuses to dump invalid UTF-8: that is our UTF-8 check.
    nlohmann::json with_text = object;
    with_text["text"] = std::string(message);
    try {
        return with_text.dump();
    } catch (const nlohmann::json::type_error &) {
        return object.dump();
    }
}

} // namespace

MessageFormat message_format_named(const std::string &name)
{
    if (name == "text")
        return MessageFormat::text;
    if (name == "hex")
        return MessageFormat::hex;
    if (name == "json")
        return MessageFormat::json;
    throw std::invalid_argument("unknown message format '" + name + "'");
}

void write_message(std::ostream &out, MessageFormat format, std::string_view message,
                   unsigned priority, bool show_priority)
{
    if (format == MessageFormat::json) {
        out << json_line(message, priority) << '\n';
        return;
    }
    if (show_priority)
        out << priority << '\t';
    if (format == MessageFormat::hex)
        out << hex_digits(message);
    else
        out << message;
    out << '\n';
}

} // namespace pmq_cli
