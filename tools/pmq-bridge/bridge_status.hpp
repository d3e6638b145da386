// What `pmq-bridge status` shows: counters and state, published as
// DIR/<role>.status.json (written atomically at most once a second and on
// every state change).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pmq_bridge {

class BridgeStatus {
public:
    BridgeStatus(std::string state_dir, std::string role, std::string queue, std::string subject,
                 std::string stream, std::string durable);

    // Counters (any thread).
    std::atomic<uint64_t> forwarded{0};          // export: stored by JetStream; import: sent to the queue
    std::atomic<uint64_t> duplicates_dropped{0}; // export: JetStream said Duplicate; import: redelivery already sent
    std::atomic<uint64_t> redelivered{0};        // import: deliveries with NumDelivered > 1
    std::atomic<uint64_t> retries{0};            // publishes/sends tried again
    std::atomic<uint64_t> reconnects{0};
    std::atomic<uint64_t> spool_held{0};         // export: messages taken from the queue, not yet stored
    std::atomic<uint64_t> spool_slots{0};        // export: how many the spool can hold
    std::atomic<uint64_t> refused{0};            // export: messages JetStream refused (held, retried)
    std::atomic<uint64_t> lengths_recovered{0};  // export: a kill hit the receive window (docs/bridge.md)
    std::atomic<uint64_t> uncertain_resends{0};  // import: a kill hit the send window (docs/bridge.md)
    std::atomic<uint64_t> stream_gaps{0};        // import: the durable's copy of the stream lacks messages
    std::atomic<uint64_t> durable_stalls{0};     // import: the durable redelivered nothing for three AckWaits

    // State and text (any thread). Each change is logged and published.
    void set_state(const std::string &state, const std::string &log_text = "");
    void set_server(const std::string &url);
    void set_last_error(const std::string &text);
    std::string state() const;

    // Writes the file if a second has passed since the last write (main loop;
    // a loop that has the time at hand passes it).
    void tick(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    // Writes it now.
    void publish();

private:
    std::string path_;
    std::string role_, queue_, subject_, stream_, durable_;
    mutable std::mutex mutex_;
    std::string state_ = "starting", server_, last_error_, last_error_at_;
    std::chrono::steady_clock::time_point last_write_{};
};

} // namespace pmq_bridge
