// SIGTERM and SIGINT ask the loops to park what is in flight and return.
#pragma once

namespace pmq_bridge {

void install_stop_handlers();
bool stop_requested();

} // namespace pmq_bridge
