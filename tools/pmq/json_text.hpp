// Bytes in pmq's JSON output.  JSON strings hold Unicode text, while queue
// names, user names and messages are bytes: only valid UTF-8 goes into a JSON
// string, and the exact bytes always have a lossless hex form beside it, so
// no dump() can throw and nothing is lost or silently replaced.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace pmq_cli {

// True when bytes are valid UTF-8 (as nlohmann::json checks it on dump:
// no overlong forms, no surrogates).
bool is_valid_utf8(std::string_view bytes);

// Lowercase hex digits, two per byte.
std::string hex_digits(std::string_view bytes);

// The bytes as a JSON string when they are valid UTF-8; null otherwise.
nlohmann::json text_or_null(std::string_view bytes);

// Sets "name" (the queue name as a string, or null when it is not valid
// UTF-8) and "name_hex" (its bytes in hex, always), as pmq(1) documents.
void set_queue_name(nlohmann::json &object, std::string_view name);

} // namespace pmq_cli
