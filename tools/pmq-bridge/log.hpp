// One line per state change on standard error, "pmq-bridge: <role> <queue>: <text>".
#pragma once

#include <string>

namespace pmq_bridge {

void set_log_prefix(const std::string &prefix);
void set_verbose(bool on);
bool verbose();

void log_line(const std::string &text);          // always
void log_verbose(const std::string &text);       // only with --verbose

} // namespace pmq_bridge
