// Secrets come from files, never from argv, so `ps` cannot show them.
#pragma once

#include <string>

namespace pmq_bridge {

// The first line of FILE, without its newline. Throws Fatal (naming the file,
// never its content) if it cannot be read or is empty.
std::string read_password_file(const std::string &path);

// A server URL with any "user:password@" replaced by "***@", for logs.
std::string redact_url(const std::string &url);

} // namespace pmq_bridge
