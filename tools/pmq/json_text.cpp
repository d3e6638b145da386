#include "json_text.hpp"

namespace pmq_cli {

bool is_valid_utf8(std::string_view bytes)
{
    try {
        (void)nlohmann::json(std::string(bytes)).dump();
        return true;
    } catch (const nlohmann::json::type_error &) {
        return false; // 316: invalid UTF-8 byte
    }
}

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

nlohmann::json text_or_null(std::string_view bytes)
{
    return is_valid_utf8(bytes) ? nlohmann::json(std::string(bytes)) : nlohmann::json(nullptr);
}

void set_queue_name(nlohmann::json &object, std::string_view name)
{
    object["name"] = text_or_null(name);
    object["name_hex"] = hex_digits(name);
}

} // namespace pmq_cli
