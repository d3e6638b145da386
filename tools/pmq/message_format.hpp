// How `pmq recv` writes each message it receives: text, hex or JSON lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pmq_cli {

enum class MessageFormat { text, hex, json };

// "text", "hex", "json": the names --format accepts; none for any other.
std::optional<MessageFormat> message_format_named(const std::string &name);

// text: the bytes as they are, then a newline.  hex: lowercase hex digits,
// then a newline.  With show_priority, both start with the priority and a tab.
// json: one object per line, {"length", "priority", "hex", and "text" when the
// bytes are valid UTF-8}; it always carries the priority.
std::string formatted_message(MessageFormat format, std::string_view message, unsigned priority,
                              bool show_priority);

} // namespace pmq_cli
