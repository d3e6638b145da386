// pmq-bridge export: local queue -> spool -> JetStream.
#pragma once

#include "bridge_options.hpp"
#include "exit_status.hpp"

namespace pmq_bridge {

ExitStatus run_export(const BridgeOptions &options);

} // namespace pmq_bridge
