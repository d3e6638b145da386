// pmq-bench-bridge: end-to-end throughput and latency from a local send on
// host A, through `pmq-bridge export`, JetStream and `pmq-bridge import`, to a
// local receive on host B, side by side in one run with the floor: the same
// messages published with the C client's js_PublishMsgAsync and taken by a
// pull consumer, no queues involved.  Rounds interleave the two (the order
// alternates every round) and the table gives medians over the rounds, and of
// each round's bridge-to-floor ratio, so that a machine's load drifting
// between rounds cancels out.
//
// It starts its own nats-server on 127.0.0.1 in a scratch directory; the two
// hosts are child processes in private IPC namespaces (so it runs as root),
// and it stops and removes all of it at the end, or when interrupted.
#include <pmq/pmq.h>

#include <nats/nats.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "../statistics.hpp"
#include "hosts.hpp"
#include "nats_server.hpp"
#include "processes.hpp"

#ifndef PMQ_BRIDGE_PROGRAM
#define PMQ_BRIDGE_PROGRAM "pmq-bridge"
#endif

namespace {

using namespace bridge_bench;

constexpr std::size_t message_sizes[] = {16, 1024, 8192};
constexpr double rate_target = 0.80;        // bridge >= 80% of the floor's messages/s
constexpr double p50_target_ms = 1.0;       // bridge p50 <= floor p50 + 1 ms

struct Settings {
    int rounds = 5;
    std::uint32_t messages = 20000; // per round, style and size, for throughput
    std::uint32_t trips = 500;      // per round, style and size, one at a time, for latency
    long depth = 10;                // the queues' max_messages: Linux's default limit
    std::string bridge = PMQ_BRIDGE_PROGRAM;
    std::string nats_server;
};

constexpr Style styles[] = {Style::bridge, Style::floor};
constexpr int style_count = 2;

// One figure per round for each style, and the bridge's against the floor's
// in the same round (a ratio for rates, a difference for latencies).
struct Series {
    std::vector<double> of[style_count]; // indexed by Style
    std::vector<double> relative;
    const std::vector<double> &bridge() const { return of[int(Style::bridge)]; }
};

struct SizeResult {
    std::size_t size;
    Series rate, p50, p99;
    std::vector<double> export_rate; // how fast host A's sends into the bridge's queue completed
    std::uint64_t damaged = 0;
};

double median_of(const std::vector<double> &v)
{
    return v.empty() ? NAN : bench::median(v);
}

std::string size_text(std::size_t size)
{
    return size >= 1024 ? std::to_string(size / 1024) + " KiB" : std::to_string(size) + " B";
}

std::string first_line(const char *path, const std::string &prefix = "")
{
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0)
            return prefix.empty() ? line : line.substr(line.find(':') + 2);
    return "unknown";
}

// The 1, 5 and 15 minute load averages: how busy the machine was.
std::string load_average()
{
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return in ? one + " " + five + " " + fifteen : "unknown";
}

void progress(const char *what, std::size_t size, int round, int rounds)
{
    std::fprintf(stderr, "pmq-bench-bridge: %s, %s messages, round %d of %d...\n", what,
                 size_text(size).c_str(), round + 1, rounds);
}

const char *style_name(Style style)
{
    return style == Style::bridge ? "through the bridge" : "the floor";
}

struct Pair {
    Report sent, got;
};

// Host B first, so that it is receiving before host A sends.
Pair run(Host &a, Host &b, Measure measure, Style style, std::size_t size, std::uint32_t count,
         std::uint32_t &tag)
{
    b.start(measure, style, size, count, tag);
    a.start(measure, style, size, count, tag);
    ++tag;
    Pair p{a.finish(), b.finish()};
    if (!p.sent.ok || !p.got.ok)
        die(style_name(style), p.sent.ok ? p.got.error : p.sent.error);
    a.purge();
    return p;
}

// One style's throughput and latency in one round.
void measure(Host &a, Host &b, Style style, std::size_t size, const Settings &s,
             std::uint32_t &tag, SizeResult &result)
{
    const int i = static_cast<int>(style);
    const Pair stream = run(a, b, Measure::throughput, style, size, s.messages, tag);
    result.damaged += stream.got.damaged;
    const auto seconds = [](std::uint64_t from, std::uint64_t to) {
        return static_cast<double>(to - from) / 1e9;
    };
    result.rate.of[i].push_back(s.messages / seconds(stream.sent.first_sent_ns,
                                                     stream.got.last_received_ns));
    if (style == Style::bridge)
        result.export_rate.push_back(
            s.messages / seconds(stream.sent.first_sent_ns, stream.sent.last_sent_ns));

    const Pair trips = run(a, b, Measure::latency, style, size, s.trips, tag);
    result.damaged += trips.got.damaged;
    result.p50.of[i].push_back(trips.got.p50_ns / 1e6);
    result.p99.of[i].push_back(trips.got.p99_ns / 1e6);
}

SizeResult measure_size(Host &a, Host &b, std::size_t size, const Settings &s, std::uint32_t &tag,
                        const char *what = "measuring")
{
    SizeResult r;
    r.size = size;
    for (int round = 0; round < s.rounds; ++round) {
        progress(what, size, round, s.rounds);
        // Each round starts one style later, so that no style always follows the same other.
        for (int k = 0; k < style_count; ++k)
            measure(a, b, styles[(round + k) % style_count], size, s, tag, r);
        const auto last = [](const std::vector<double> &v) { return v.back(); };
        const int f = static_cast<int>(Style::floor);
        r.rate.relative.push_back(last(r.rate.bridge()) / last(r.rate.of[f]));
        r.p50.relative.push_back(last(r.p50.bridge()) - last(r.p50.of[f]));
        r.p99.relative.push_back(last(r.p99.bridge()) - last(r.p99.of[f]));
    }
    return r;
}

void print_header(const Settings &s, const NatsServer &server)
{
    struct utsname system {};
    ::uname(&system);
    std::printf("pmq-bench-bridge, libpmq %s, cnats %s, %s: medians of %d interleaved rounds "
                "(%u messages for throughput, %u one at a time for latency, per round, style "
                "and size)\n",
                pmq_version_string(), nats_GetVersion(), server.version().c_str(), s.rounds,
                s.messages, s.trips);
    std::printf("machine: %s, %ld CPUs online, Linux %s, load average %s at the start\n",
                first_line("/proc/cpuinfo", "model name").c_str(), ::sysconf(_SC_NPROCESSORS_ONLN),
                system.release, load_average().c_str());
    std::printf("one nats-server on 127.0.0.1, the stream the export bridge creates (the floor's "
                "is a copy of it); queues of %ld messages of up to 8 KiB\n\n",
                s.depth);
}

void print_table(const std::vector<SizeResult> &results)
{
    const int f = static_cast<int>(Style::floor);
    std::printf("| measurement | size | floor: async publish + pull | pmq-bridge | bridge vs floor |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    for (const SizeResult &r : results)
        std::printf("| throughput | %s | %.0f msg/s | %.0f msg/s | %.0f%% |\n",
                    size_text(r.size).c_str(), median_of(r.rate.of[f]),
                    median_of(r.rate.bridge()), 100 * median_of(r.rate.relative));
    for (const SizeResult &r : results) {
        const double bytes = static_cast<double>(r.size) / 1e6;
        std::printf("| throughput | %s | %.2f MB/s | %.2f MB/s | |\n",
                    size_text(r.size).c_str(), median_of(r.rate.of[f]) * bytes,
                    median_of(r.rate.bridge()) * bytes);
    }
    for (const auto &[name, pick] : {std::pair{"latency p50", &SizeResult::p50},
                                     std::pair{"latency p99", &SizeResult::p99}})
        for (const SizeResult &r : results) {
            const Series &series = r.*pick;
            std::printf("| %s | %s | %.3f ms | %.3f ms | %+.3f ms |\n", name,
                        size_text(r.size).c_str(), median_of(series.of[f]), median_of(series.bridge()),
                        median_of(series.relative));
        }
    std::printf("\nHost A's sends into the export bridge's queue completed at:");
    for (const SizeResult &r : results)
        std::printf(" %.0f msg/s (%s)", median_of(r.export_rate), size_text(r.size).c_str());
    std::printf("\n");
}

// The verdicts; returns how many targets were missed.
int print_targets(const std::vector<SizeResult> &results)
{
    std::printf("\nTargets (medians of this run; a loaded machine can miss by noise alone):\n");
    int missed = 0;
    for (const SizeResult &r : results) {
        const double rate = median_of(r.rate.relative);
        const double p50 = median_of(r.p50.relative);
        missed += (rate < rate_target) + (p50 > p50_target_ms);
        std::printf("  %-7s %s: the bridge reaches %.0f%% of the floor's rate (target >= %.0f%%)\n",
                    rate >= rate_target ? "ok" : "MISSED", size_text(r.size).c_str(), 100 * rate,
                    100 * rate_target);
        std::printf("  %-7s %s: the bridge adds %+.3f ms to the floor's p50 (target <= +%.0f ms)\n",
                    p50 <= p50_target_ms ? "ok" : "MISSED", size_text(r.size).c_str(), p50,
                    p50_target_ms);
        if (r.damaged != 0)
            std::printf("  WRONG   %s: %llu messages arrived out of order or damaged\n",
                        size_text(r.size).c_str(), static_cast<unsigned long long>(r.damaged));
    }
    return missed;
}

std::string default_nats_server()
{
    for (const char *candidate : {"/usr/sbin/nats-server", "/usr/bin/nats-server"})
        if (::access(candidate, X_OK) == 0)
            return candidate;
    return "nats-server";
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"pmq-bench-bridge: a queue on host A to a queue on host B through pmq-bridge and "
                 "JetStream, against JetStream's own async publish and pull consumer"};
    Settings s;
    s.nats_server = default_nats_server();
    bool quick = false;
    app.add_flag("--quick", quick, "tiny counts: a smoke test that everything runs, not a measurement");
    app.add_option("--rounds", s.rounds, "interleaved rounds per message size")->check(CLI::Range(1, 1000));
    app.add_option("--messages", s.messages, "messages per round, style and size for throughput")
        ->check(CLI::Range(1u, 10000000u));
    app.add_option("--trips", s.trips, "messages sent one at a time per round, style and size for latency")
        ->check(CLI::Range(1u, 10000000u));
    app.add_option("--depth", s.depth, "max_messages of the queues on both hosts")
        ->check(CLI::Range(1L, 65536L));
    app.add_option("--bridge", s.bridge, "the pmq-bridge program to measure")->capture_default_str();
    app.add_option("--nats-server", s.nats_server, "the nats-server program to start")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    if (quick) {
        if (app.count("--rounds") == 0) s.rounds = 1;
        if (app.count("--messages") == 0) s.messages = 200;
        if (app.count("--trips") == 0) s.trips = 20;
    }
    if (::geteuid() != 0) {
        std::fprintf(stderr, "pmq-bench-bridge: run it as root: each host is a private IPC "
                             "namespace (unshare), which needs CAP_SYS_ADMIN\n");
        return 77; // meson's "skipped"
    }

    stop_everything_on_signals();
    const std::string scratch = make_scratch_directory();
    std::vector<SizeResult> results;
    {
        const NatsServer server(s.nats_server, scratch);
        int go[2];
        if (::pipe2(go, O_CLOEXEC) != 0)
            die("pipe", std::strerror(errno));
        const HostSettings hs{s.bridge, server.url(), scratch, s.depth};
        Host a(Host::Role::sender, hs, go);
        Host b(Host::Role::receiver, hs, go);
        ::close(go[0]);
        ::close(go[1]);

        std::uint32_t tag = 0;
        Settings warm_up = s; // connections, streams and page cache, not counted
        warm_up.rounds = 1;
        warm_up.messages = std::min<std::uint32_t>(s.messages, 1000);
        warm_up.trips = std::min<std::uint32_t>(s.trips, 50);
        measure_size(a, b, 1024, warm_up, tag, "warming up");
        for (const std::size_t size : message_sizes)
            results.push_back(measure_size(a, b, size, s, tag));
        print_header(s, server);
    }
    stop_everything();
    print_table(results);
    print_targets(results);
    for (const SizeResult &r : results)
        if (r.damaged != 0)
            return 1;
    return 0;
}
