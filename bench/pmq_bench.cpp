// pmq-bench: libpmq against raw mq_send/mq_receive and against the seed's
// open-per-call style, side by side in one run (and, since 1.1, pmq_wait +
// pmq_recv against poll + mq_receive).  Each measurement runs in
// rounds that interleave the styles (raw, libpmq, floor, seed, in an order
// that changes every round), and the table gives medians over the rounds, with
// each figure's cost relative to raw, and that of the floor: the least any
// implementation could cost in that row (styles.hpp).
#include <pmq/pmq.h>

#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "failure.hpp"
#include "placement.hpp"
#include "report.hpp"
#include "same_thread.hpp"
#include "statistics.hpp"
#include "styles.hpp"
#include "two_processes.hpp"

namespace {

using namespace bench;

constexpr std::size_t message_sizes[] = {16, 1024, 8192};

struct Settings {
    int rounds = 11;
    long pairs = 20000;     // per round and style, same-thread measurements
    long trips = 10000;     // per round and style, round trips: enough for a stable p99
    long messages = 100000; // per round and style, streams: a round of 20000 was short
                            // enough (20 ms) for one scheduler hiccup to move it 5%
};

// A queue of 10 messages of up to 8 KiB (the Linux defaults, so that an
// unprivileged user can create it), unlinked when the measurement is done.
class BenchQueue {
public:
    BenchQueue()
    {
        static int counter = 0;
        name_ = "/pmq-bench-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        pmq_queue *q = nullptr;
        if (pmq_create(name_.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0600, 10,
                       static_cast<std::int64_t>(largest_message), &q) != 0)
            die_pmq("pmq_create");
        pmq_close(q);
        track_queue(name_.c_str());
    }
    ~BenchQueue()
    {
        pmq_unlink(name_.c_str());
        untrack_queue(name_.c_str());
    }
    BenchQueue(const BenchQueue &) = delete;
    BenchQueue &operator=(const BenchQueue &) = delete;
    const char *name() const { return name_.c_str(); }

private:
    std::string name_;
};

std::string cpu_model()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
            return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

void print_header(const Settings &settings, const Placement &placement)
{
    struct utsname system {};
    ::uname(&system);
    std::printf("pmq-bench, libpmq %s: medians of %d interleaved rounds "
                "(%ld pairs, %ld round trips, %ld streamed messages per round and style)\n",
                pmq_version_string(), settings.rounds, settings.pairs, settings.trips,
                settings.messages);
    std::printf("machine: %s, %ld CPUs online, Linux %s; ", cpu_model().c_str(),
                ::sysconf(_SC_NPROCESSORS_ONLN), system.release);
    if (placement.home < 0)
        std::printf("not pinned to CPUs\n\n");
    else if (placement.sender == placement.home)
        std::printf("everything on CPU %d%s\n\n", placement.home,
                    placement.one_cpu_allowed ? " (the only CPU this process may use)" : "");
    else
        std::printf("pairs and round trips on CPU %d; streams: receiver on CPU %d, sender on "
                    "CPU %d\n\n",
                    placement.home, placement.home, placement.sender);
}

void progress(const char *what, std::size_t size)
{
    std::fprintf(stderr, "pmq-bench: measuring %s, %zu-byte messages...\n", what, size);
}

// Runs the steps of one round in that round's order, from a balanced Latin
// square (a Williams design): over n rounds (2n when n is odd) every step
// runs once in each position and once right after each other step, so that
// what one style leaves behind (its child process's teardown, say) does not
// always land on the same other style.
void run_in_turn(int round, std::initializer_list<std::function<void()>> steps)
{
    const std::size_t n = steps.size();
    const auto r = static_cast<std::size_t>(round);
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t first_row = i % 2 == 1 ? (i + 1) / 2 : (n - i / 2) % n; // 0 1 n-1 2 n-2 ...
        order[i] = (first_row + r) % n;
    }
    if (n % 2 == 1 && (r / n) % 2 == 1)
        std::reverse(order.begin(), order.end());
    for (const std::size_t step : order)
        std::data(steps)[step]();
}

struct PairRows {
    Row pair, timed, wait, name;
};

PairRows measure_pairs(std::size_t size, const Settings &s)
{
    progress("same-thread pairs", size);
    const BenchQueue queue;
    const char *q = queue.name();
    Series pair, timed, wait, name;
    const long n = s.pairs;
    for (int round = 0; round < s.rounds; ++round)
        run_in_turn(round, {
            [&] { pair.raw.push_back(nanoseconds_per_pair<RawStyle>(q, size, n)); },
            [&] { pair.libpmq.push_back(nanoseconds_per_pair<HandleStyle>(q, size, n)); },
            [&] { pair.floor.push_back(nanoseconds_per_pair<BareWrapperStyle>(q, size, n)); },
            [&] { name.libpmq.push_back(nanoseconds_per_pair<NameStyle>(q, size, n)); },
            [&] { name.floor.push_back(nanoseconds_per_pair<CheckedRawStyle>(q, size, n)); },
            [&] { pair.seed.push_back(nanoseconds_per_pair<SeedStyle>(q, size, n)); },
            [&] { timed.raw.push_back(nanoseconds_per_pair<RawTimedStyle>(q, size, n)); },
            [&] { timed.libpmq.push_back(nanoseconds_per_pair<HandleTimedStyle>(q, size, n)); },
            [&] { wait.raw.push_back(nanoseconds_per_pair<RawWaitStyle>(q, size, n)); },
            [&] { wait.libpmq.push_back(nanoseconds_per_pair<HandleWaitStyle>(q, size, n)); },
            [&] { wait.floor.push_back(nanoseconds_per_pair<BareWrapperWaitStyle>(q, size, n)); },
        });
    name.raw = pair.raw;
    name.seed = pair.seed;
    return PairRows{
        make_row("send+recv pair", "ns", size, pair, false, true),
        make_row("timed send+recv pair", "ns", size, timed, false, true),
        make_row("send+wait+recv", "ns", size, wait, false, true),
        make_row("name-based send+recv pair", "ns", size, name, false, false),
    };
}

struct LatencyRows {
    Row p50, p99;
};

// One round of round trips in style S: its median and 99th percentile, in µs.
template <class S>
void round_trip_round(const BenchQueue &there, const BenchQueue &back, std::size_t size,
                      long trips, std::vector<double> &p50, std::vector<double> &p99)
{
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(trips)); // no allocation while timing
    round_trips<S>(there.name(), back.name(), size, trips, samples);
    p50.push_back(percentile(samples, 0.50) / 1000.0);
    p99.push_back(percentile(samples, 0.99) / 1000.0);
}

LatencyRows measure_round_trips(std::size_t size, const Settings &s)
{
    progress("two-process round trips", size);
    const BenchQueue there, back;
    Series p50, p99;
    const long n = s.trips;
    for (int round = 0; round < s.rounds; ++round)
        run_in_turn(round, {
            [&] { round_trip_round<RawStyle>(there, back, size, n, p50.raw, p99.raw); },
            [&] { round_trip_round<HandleStyle>(there, back, size, n, p50.libpmq, p99.libpmq); },
            [&] { round_trip_round<BareWrapperStyle>(there, back, size, n, p50.floor, p99.floor); },
            [&] { round_trip_round<SeedStyle>(there, back, size, n, p50.seed, p99.seed); },
        });
    return LatencyRows{
        make_row("round trip p50", "us", size, p50, false, true),
        make_row("round trip p99", "us", size, p99, false, true),
    };
}

struct StreamRows {
    Row messages, bytes;
};

StreamRows measure_streams(std::size_t size, const Settings &s, int sender_cpu)
{
    progress("two-process streams", size);
    const BenchQueue queue;
    Series rate;
    const char *q = queue.name();
    const long n = s.messages;
    for (int round = 0; round < s.rounds; ++round)
        run_in_turn(round, {
            [&] { rate.raw.push_back(messages_per_second<RawStyle>(q, size, n, sender_cpu)); },
            [&] { rate.libpmq.push_back(messages_per_second<HandleStyle>(q, size, n, sender_cpu)); },
            [&] { rate.floor.push_back(messages_per_second<BareWrapperStyle>(q, size, n, sender_cpu)); },
            [&] { rate.seed.push_back(messages_per_second<SeedStyle>(q, size, n, sender_cpu)); },
        });
    return StreamRows{
        make_row("stream", "msg/s", size, rate, true, true),
        make_row("stream", "MB/s", size, rate, true, true, static_cast<double>(size) / 1e6),
    };
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"pmq-bench: libpmq against raw mq_send/mq_receive and the seed's "
                 "open-per-call style, side by side"};
    Settings settings;
    bool quick = false;
    bool spread = false;
    bool streams_on_one_cpu = false;
    app.add_flag("--quick", quick, "tiny counts: a smoke test that everything runs, not a measurement");
    app.add_option("--rounds", settings.rounds, "interleaved rounds per measurement")
        ->check(CLI::Range(1, 1000));
    app.add_option("--pairs", settings.pairs, "same-thread pairs per round and style")
        ->check(CLI::Range(1L, 100000000L));
    app.add_option("--trips", settings.trips, "round trips per round and style")
        ->check(CLI::Range(1L, 100000000L));
    app.add_option("--messages", settings.messages, "streamed messages per round and style")
        ->check(CLI::Range(1L, 100000000L));
    app.add_flag("--no-pin", spread,
                 "let the scheduler place every process instead of choosing their CPUs");
    app.add_flag("--streams-on-one-cpu", streams_on_one_cpu,
                 "run a stream's sender on the receiver's CPU too (the scheduler's batching "
                 "then decides the stream rows)")
        ->excludes("--no-pin");
    CLI11_PARSE(app, argc, argv);
    if (quick) {
        const Settings tiny{3, 100, 50, 200};
        if (app.count("--rounds") == 0) settings.rounds = tiny.rounds;
        if (app.count("--pairs") == 0) settings.pairs = tiny.pairs;
        if (app.count("--trips") == 0) settings.trips = tiny.trips;
        if (app.count("--messages") == 0) settings.messages = tiny.messages;
    }

    unlink_queues_on_signals();
    const Placement placement = place_processes(!spread, streams_on_one_cpu);
    std::vector<Row> pairs, timed, waits, names, p50, p99, streamed, bytes;
    for (const std::size_t size : message_sizes) {
        const PairRows r = measure_pairs(size, settings);
        pairs.push_back(r.pair);
        timed.push_back(r.timed);
        waits.push_back(r.wait);
        names.push_back(r.name);
    }
    for (const std::size_t size : message_sizes) {
        const LatencyRows r = measure_round_trips(size, settings);
        p50.push_back(r.p50);
        p99.push_back(r.p99);
    }
    for (const std::size_t size : message_sizes) {
        const StreamRows r = measure_streams(size, settings, placement.sender);
        streamed.push_back(r.messages);
        bytes.push_back(r.bytes);
    }

    std::vector<Row> table;
    for (const auto *group : {&pairs, &timed, &waits, &p50, &p99, &streamed, &bytes, &names})
        table.insert(table.end(), group->begin(), group->end());
    print_header(settings, placement);
    print_table(table);
    print_targets(table, names, pairs);
    return 0;
}
