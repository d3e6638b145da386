// pmq-bridge import: JetStream durable pull consumer -> local queue.
#pragma once

#include "bridge_options.hpp"
#include "exit_status.hpp"

namespace pmq_bridge {

ExitStatus run_import(const BridgeOptions &options);

} // namespace pmq_bridge
