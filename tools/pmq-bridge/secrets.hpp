// Secrets come from files, never from argv, so `ps` cannot show them.
#pragma once

#include <string>

namespace pmq_bridge {

// The first line of FILE, without its newline. Throws Fatal (naming the file,
// never its content) if it cannot be read or is empty.
std::string read_password_file(const std::string &path);

// Throws Fatal (naming the file, never its content) unless FILE is a NATS
// credentials file the client can use: readable, with a user JWT and a
// valid user seed. The client reads it only when it connects, and would
// take a broken one for an unreachable cluster and retry forever.
void check_creds_file(const std::string &path);

// A server URL with any "user:password@" replaced by "***@", for logs.
std::string redact_url(const std::string &url);

} // namespace pmq_bridge
