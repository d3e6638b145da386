// Opening the local queue for a bridge: it must exist unless --create.
#pragma once

#include "bridge_options.hpp"

#include <pmq/pmq.h>

namespace pmq_bridge {

// "jobs" -> "/jobs", as the pmq tool accepts it.
std::string queue_name(const std::string &argument);

// Opens QUEUE for `direction` (PMQ_READ or PMQ_WRITE); throws Fatal if it
// does not exist and --create was not given, or the library refuses.
pmq_queue *open_local_queue(const BridgeOptions &options, unsigned direction);

} // namespace pmq_bridge
