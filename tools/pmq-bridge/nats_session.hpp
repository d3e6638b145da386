// One connection to the cluster and its JetStream context. Connecting waits
// out an unreachable cluster with backoff (a log line per attempt); what
// waiting cannot fix (bad credentials, TLS files) throws Fatal.
#pragma once

#include "bridge_options.hpp"
#include "bridge_status.hpp"

#include <nats/nats.h>

#include <string>

namespace pmq_bridge {

class NatsSession {
public:
    NatsSession(const ConnectionSettings &settings, BridgeStatus &status);
    ~NatsSession();
    NatsSession(const NatsSession &) = delete;
    NatsSession &operator=(const NatsSession &) = delete;

    // Returns true once connected, false if a stop was requested first.
    bool connect();

    // Flushes, closes, and waits until no client thread can call back into
    // the bridge any more (its objects are about to go away).
    void close();

    natsConnection *connection() { return nc_; }
    jsCtx *jetstream() { return js_; }
    bool connected() const;

private:
    void build_options();

    const ConnectionSettings &settings_;
    BridgeStatus &status_;
    natsOptions *opts_ = nullptr;
    natsConnection *nc_ = nullptr;
    jsCtx *js_ = nullptr;
};

// "what the client said" for the calling thread's last cnats failure.
std::string nats_error_text(natsStatus s);

// Sleeps up to `ms` in small steps; returns false if a stop was requested.
bool sleep_unless_stopped(int ms);

// 250 ms, 500 ms, ... up to 5 s.
int backoff_ms(int attempt);

} // namespace pmq_bridge
