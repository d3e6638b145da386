// The JetStream stream a bridge uses: its name, and making sure it exists.
#pragma once

#include "bridge_options.hpp"
#include "bridge_status.hpp"

#include <nats/nats.h>

#include <cstdint>
#include <string>

namespace pmq_bridge {

// "" if SUBJECT can be published to, else why not (for a usage error).
std::string subject_problem(const std::string &subject);

// "" if NAME can name a stream or durable consumer, else why not.
std::string name_problem(const std::string &name, const char *option);

// The subject with every character a stream name cannot hold replaced by '_'.
std::string default_stream_name(const std::string &subject);

// Export: creates the stream if absent (logging it) or checks it carries the
// subject. Waits out a cluster without quorum. Returns false on a stop request.
// `bounded` tells whether the stream refuses messages when full (discard new
// with a limit): then a pipeline of publishes could have an early one refused
// and a later one stored, so the export publishes one at a time.
bool ensure_stream(jsCtx *js, const BridgeOptions &options, BridgeStatus &status, bool &bounded);

// Import: waits until the stream exists; returns its creation time (ns), or
// 0 on a stop request.
int64_t wait_for_stream(jsCtx *js, const BridgeOptions &options, BridgeStatus &status);

} // namespace pmq_bridge
