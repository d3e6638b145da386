// The two "hosts": each a child process in a private IPC namespace with its
// own queue and its own pmq-bridge.  Host A sends (into its queue for the
// bridge, with js_PublishMsgAsync for the floor); host B receives (from its
// queue, or from a pull consumer).  The main process tells them what to
// measure over a socket and reads back what they saw.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace bridge_bench {

// floor: what the C client does at its best (async publish, batched pulls).
enum class Style : int { bridge, floor };
enum class Measure : int { throughput, latency };

struct HostSettings {
    std::string bridge_program;
    std::string server_url;
    std::string scratch;
    long queue_depth;
};

// What a host reports after one measurement.
struct Report {
    int ok;                     // 0: `error` says what went wrong
    char error[512];
    std::uint64_t first_sent_ns; // host A: when the first message left
    std::uint64_t last_sent_ns;  // host A: when its last send (or publish call) returned
    std::uint64_t last_received_ns; // host B: when the last one arrived
    std::uint32_t received;     // host B: how many arrived, and of those
    std::uint32_t damaged;      //   how many were out of order or not intact
    double p50_ns, p99_ns;      // host B, latency: one-way, send to receive
};

class Host {
public:
    enum class Role { sender, receiver };
    // Forks the host, which sets up its namespace, queue, bridge and NATS
    // connection; returns when it is ready.  `go` is the pipe B tells A on
    // that a latency message arrived (A reads go[0], B writes go[1]).
    Host(Role role, const HostSettings &settings, const int go[2]);
    ~Host();
    Host(const Host &) = delete;
    Host &operator=(const Host &) = delete;

    // Starts a measurement of `count` messages of `size` bytes; `tag` makes
    // the floor's message ids unique across measurements.
    void start(Measure measure, Style style, std::size_t size, std::uint32_t count, std::uint32_t tag);
    // Waits for the host's report on the measurement started last.
    Report finish();
    // Removes every message from both streams (host A).
    void purge();

private:
    const char *name() const;
    Role role_;
    pid_t pid_ = 0;
    int socket_ = -1;
};

} // namespace bridge_bench
