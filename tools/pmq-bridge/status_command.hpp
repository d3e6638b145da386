// pmq-bridge status --state-dir DIR [--json]
#pragma once

#include "exit_status.hpp"

#include <string>

namespace pmq_bridge {

ExitStatus run_status(const std::string &state_dir, bool json);

} // namespace pmq_bridge
