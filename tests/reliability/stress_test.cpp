// Stress (suite "stress"): producer and consumer processes, each with threads,
// on one queue.  Every accepted message must be received exactly once, intact,
// and by each consumer in FIFO order within (producer, priority) -- also under a
// storm of signals without SA_RESTART, and when a consumer is SIGKILLed.
//
// Consumers receive straight into shared memory, so the test knows every message
// a consumer took even if it is killed the instant mq_receive returns.  The
// assertions are counts, never times; the figures printed are for the README.
#include <pmq/pmq.h>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "child_processes.hpp"
#include "private_ipc.hpp"
#include "stress_message.hpp"
#include "test_support.hpp"

namespace {

using namespace pmq_test;

struct Plan {
    int producer_processes = 3;
    int producer_threads = 2;
    int consumer_processes = 3;
    int consumer_threads = 2;
    std::uint32_t messages_per_producer = 4000;
    std::uint32_t priorities = 4; // data uses 1..priorities; 0 is the stop message
    bool signal_storm = false;
    bool kill_a_consumer = false;

    int producers() const { return producer_processes * producer_threads; }
    int consumers() const { return consumer_processes * consumer_threads; }
    std::size_t messages() const
    {
        return static_cast<std::size_t>(producers()) * messages_per_producer;
    }
};

// Workers call the API in three ways, so that all of them are under load.
enum class CallStyle { handle, timed, by_name };
CallStyle style_of(int worker)
{
    return static_cast<CallStyle>(worker % 3);
}
constexpr int retry_timeout_ms = 250;

// Zero is never a real length (every message has a header) nor a data priority.
constexpr std::uint32_t unset = 0;

// One received message, written by the kernel itself (buffer and priority).
// Slots start zeroed, as fresh anonymous memory is.
struct Slot {
    unsigned priority;
    std::uint32_t length;
    unsigned char data[stress_message_size];
};

struct WorkerStats {
    std::atomic<std::uint64_t> done;        // messages sent or received
    std::atomic<std::uint64_t> interrupted; // calls that returned PMQ_EINTR, then retried
};

// Anonymous shared memory, zeroed; pages cost memory only once touched.
class SharedMemory {
public:
    explicit SharedMemory(std::size_t bytes)
        : bytes_(bytes), base_(::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0))
    {
    }
    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;
    ~SharedMemory()
    {
        if (ok())
            ::munmap(base_, bytes_);
    }
    bool ok() const { return base_ != MAP_FAILED; }
    void *base() const { return base_; }

private:
    std::size_t bytes_;
    void *base_;
};

// What the processes share: flags, counters and one log per consumer thread.
struct Shared {
    std::atomic<int> consumers_go;
    std::atomic<std::uint64_t> signals_delivered;
};

class Workspace {
public:
    Workspace(const Plan &plan, int logs)
        : logs_(logs), capacity_(plan.messages() + 1),
          memory_(sizeof(Shared) + sizeof(WorkerStats) * (plan.producers() + logs) +
                  sizeof(Slot) * capacity_ * logs)
    {
        if (!memory_.ok())
            return;
        auto *bytes = static_cast<unsigned char *>(memory_.base());
        shared_ = new (bytes) Shared{};
        bytes += sizeof(Shared);
        producer_stats_ = reinterpret_cast<WorkerStats *>(bytes);
        for (int i = 0; i < plan.producers() + logs; ++i)
            new (bytes + i * sizeof(WorkerStats)) WorkerStats{};
        consumer_stats_ = producer_stats_ + plan.producers();
        slots_ = reinterpret_cast<Slot *>(bytes + sizeof(WorkerStats) * (plan.producers() + logs));
    }
    // Touches a log's pages now: a consumer killed in the middle of a receive
    // must not be caught in a page fault on it.
    void prefault(int i) { std::memset(static_cast<void *>(log(i)), 0, sizeof(Slot) * capacity_); }
    bool ok() const { return memory_.ok(); }
    Shared &shared() { return *shared_; }
    WorkerStats &producer(int i) { return producer_stats_[i]; }
    WorkerStats &consumer(int i) { return consumer_stats_[i]; }
    Slot *log(int i) { return slots_ + capacity_ * static_cast<std::size_t>(i); }
    int logs() const { return logs_; }
    std::size_t capacity() const { return capacity_; }

private:
    int logs_;
    std::size_t capacity_;
    SharedMemory memory_;
    Shared *shared_ = nullptr;
    WorkerStats *producer_stats_ = nullptr;
    WorkerStats *consumer_stats_ = nullptr;
    Slot *slots_ = nullptr;
};

// --- the signal storm -------------------------------------------------------

std::atomic<std::uint64_t> *signal_counter = nullptr;

void count_signal(int)
{
    signal_counter->fetch_add(1, std::memory_order_relaxed);
}

// Installs the handler without SA_RESTART, so blocked calls fail with EINTR.
void install_storm_handler(std::atomic<std::uint64_t> *counter)
{
    signal_counter = counter;
    struct sigaction action {};
    action.sa_handler = count_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    ::sigaction(SIGUSR1, &action, nullptr);
}

// A timer that signals the calling thread every 500 us while it lives.
class ThreadSignalStorm {
public:
    explicit ThreadSignalStorm(bool on)
    {
        if (!on)
            return;
        struct sigevent event {};
        event.sigev_notify = SIGEV_THREAD_ID;
        event.sigev_signo = SIGUSR1;
        event._sigev_un._tid = ::gettid();
        if (::timer_create(CLOCK_MONOTONIC, &event, &timer_) != 0)
            return;
        armed_ = true;
        const struct itimerspec every{{0, 500000}, {0, 500000}};
        ::timer_settime(timer_, 0, &every, nullptr);
    }
    ThreadSignalStorm(const ThreadSignalStorm &) = delete;
    ThreadSignalStorm &operator=(const ThreadSignalStorm &) = delete;
    ~ThreadSignalStorm()
    {
        if (armed_)
            ::timer_delete(timer_);
    }
    bool failed(bool on) const { return on && !armed_; }

private:
    timer_t timer_{};
    bool armed_ = false;
};

// --- workers (run in child processes; they report on stderr, never via gtest) --

int report(const char *who, int index, const char *call, int rc)
{
    std::fprintf(stderr, "%s %d: %s returned %s: %s\n", who, index, call, pmq_err_name(rc),
                 pmq_last_error());
    return 1;
}

int produce(pmq_queue *q, const std::string &name, int producer, const Plan &plan,
            WorkerStats &stats)
{
    const CallStyle style = style_of(producer);
    unsigned char message[stress_message_size];
    for (std::uint32_t seq = 0; seq < plan.messages_per_producer; ++seq) {
        const unsigned priority = 1 + (seq * 7u + static_cast<unsigned>(producer)) % plan.priorities;
        const std::size_t length = encode_stress_message(
            data_magic, static_cast<std::uint32_t>(producer), seq, priority, message);
        int rc;
        for (;;) {
            if (style == CallStyle::handle)
                rc = pmq_send(q, message, length, priority);
            else if (style == CallStyle::timed)
                rc = pmq_send_timed(q, message, length, priority, retry_timeout_ms);
            else
                rc = pmq_send_to(name.c_str(), message, length, priority, 0);
            if (rc == PMQ_EINTR) {
                stats.interrupted.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            if (rc == PMQ_ETIMEDOUT && style == CallStyle::timed)
                continue;
            break;
        }
        if (rc != 0)
            return report("producer", producer, "send", rc);
        stats.done.fetch_add(1, std::memory_order_relaxed);
    }
    return 0;
}

std::uint32_t magic_of(const Slot &slot)
{
    std::uint32_t magic;
    std::memcpy(&magic, slot.data, sizeof magic);
    return magic;
}

// A consumer that will be killed slows down once it has received enough, so
// that however late the test gets to kill it, the producers are still sending.
constexpr std::uint64_t victim_quota = 200;

int consume(pmq_queue *q, const std::string &name, int consumer, Slot *log,
            std::size_t capacity, WorkerStats &stats, bool victim)
{
    const CallStyle style = style_of(consumer);
    for (std::size_t i = 0; i < capacity; ++i) {
        if (victim && i >= victim_quota)
            ::usleep(20);
        Slot &slot = log[i];
        int n;
        for (;;) {
            if (style == CallStyle::handle)
                n = pmq_recv(q, slot.data, sizeof slot.data, &slot.priority);
            else if (style == CallStyle::timed)
                n = pmq_recv_timed(q, slot.data, sizeof slot.data, &slot.priority,
                                   retry_timeout_ms);
            else
                n = pmq_recv_from(name.c_str(), slot.data, sizeof slot.data, &slot.priority, 0);
            if (n == PMQ_EINTR) {
                stats.interrupted.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            if (n == PMQ_ETIMEDOUT && style == CallStyle::timed)
                continue;
            break;
        }
        if (n < 0)
            return report("consumer", consumer, "receive", n);
        slot.length = static_cast<std::uint32_t>(n);
        stats.done.fetch_add(1, std::memory_order_relaxed);
        if (magic_of(slot) == stop_magic)
            return 0;
    }
    std::fprintf(stderr, "consumer %d: received more messages than were sent\n", consumer);
    return 1;
}

// Runs `threads` workers in this process on one shared handle; 0 if all succeeded.
template <class Work>
int run_threads(const std::string &name, unsigned flags, int threads, bool storm,
                Workspace &ws, Work work)
{
    if (storm)
        install_storm_handler(&ws.shared().signals_delivered);
    pmq_queue *q = nullptr;
    if (const int rc = pmq_open(name.c_str(), flags, &q); rc != 0)
        return report("process", ::getpid(), "pmq_open", rc);
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            const ThreadSignalStorm signals(storm);
            if (signals.failed(storm) || work(q, t) != 0)
                failures.fetch_add(1);
        });
    for (std::thread &thread : pool)
        thread.join();
    pmq_close(q);
    return failures.load() == 0 ? 0 : 1;
}

// --- the test driver --------------------------------------------------------

struct Figures {
    double seconds = 0;
    std::uint64_t interrupted = 0;
    std::uint64_t signals = 0;
    std::size_t received_by_killed = 0;
};

std::int64_t queue_depth()
{
    constexpr std::int64_t deep = 64;
    if (in_private_ipc() && write_mqueue_sysctl("msg_max", deep))
        return deep;
    return std::min<std::int64_t>(10, read_mqueue_sysctl("msg_max"));
}

// Checks every log against what the producers sent.
void verify_logs(const Plan &plan, Workspace &ws, int killed_log, Figures &figures)
{
    std::vector<std::vector<int>> seen(plan.producers(),
                                       std::vector<int>(plan.messages_per_producer, 0));
    std::size_t damaged = 0, duplicated = 0, reordered = 0, wrong_priority = 0, stops = 0;
    for (int c = 0; c < ws.logs(); ++c) {
        const Slot *log = ws.log(c);
        std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> last_sequence;
        for (std::size_t i = 0; i < ws.capacity() && magic_of(log[i]) != 0; ++i) {
            const Slot &slot = log[i];
            // Only a killed consumer may have received a message without noting its
            // length and priority: the kernel wrote it, then the process died.
            std::size_t length = slot.length;
            if (slot.length == unset) {
                EXPECT_EQ(c, killed_log) << "log " << c << " slot " << i << " has no length";
                StressHeader header{};
                std::memcpy(&header, slot.data, sizeof header);
                length = sizeof header + std::min<std::size_t>(header.payload_length, max_payload);
            }
            const auto header = decode_stress_message(slot.data, length);
            if (!header) {
                ++damaged;
                continue;
            }
            if (header->magic == stop_magic) {
                ++stops;
                EXPECT_EQ(magic_of(log[i + 1]), 0u) << "consumer " << c << " went on after stop";
                continue;
            }
            if (slot.priority != header->priority && !(c == killed_log && slot.priority == unset))
                ++wrong_priority;
            if (header->producer >= static_cast<std::uint32_t>(plan.producers()) ||
                header->sequence >= plan.messages_per_producer) {
                ++damaged;
                continue;
            }
            if (++seen[header->producer][header->sequence] > 1)
                ++duplicated;
            auto [it, fresh] =
                last_sequence.try_emplace({header->producer, header->priority}, header->sequence);
            if (!fresh) {
                if (it->second >= header->sequence)
                    ++reordered;
                it->second = header->sequence;
            }
            if (c == killed_log)
                ++figures.received_by_killed;
        }
    }
    std::size_t lost = 0;
    for (int p = 0; p < plan.producers(); ++p) {
        EXPECT_EQ(ws.producer(p).done.load(), plan.messages_per_producer) << "producer " << p;
        lost += static_cast<std::size_t>(std::count(seen[p].begin(), seen[p].end(), 0));
    }
    EXPECT_EQ(damaged, 0u) << "messages that arrived damaged";
    EXPECT_EQ(lost, 0u) << "accepted messages that nobody received";
    EXPECT_EQ(duplicated, 0u) << "messages received more than once";
    EXPECT_EQ(reordered, 0u) << "messages out of FIFO order within (producer, priority)";
    EXPECT_EQ(wrong_priority, 0u) << "messages received with another priority than sent";
    EXPECT_EQ(stops, static_cast<std::size_t>(plan.consumers()));
}

void run_stress(const Plan &plan, Figures &figures)
{
    const UnlinkGuard queue(unique_queue_name("stress"));
    const std::string name = queue.name();
    const std::int64_t depth = queue_depth();
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(queue.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0, depth,
                         stress_message_size, &q),
              0)
        << pmq_last_error();
    const std::unique_ptr<pmq_queue, int (*)(pmq_queue *)> owned(q, pmq_close);

    // One log per consumer thread, plus one for the consumer that gets killed.
    const int killed_log = plan.kill_a_consumer ? plan.consumers() : -1;
    Workspace ws(plan, plan.consumers() + (plan.kill_a_consumer ? 1 : 0));
    ASSERT_TRUE(ws.ok()) << "no shared memory for the logs";
    if (plan.kill_a_consumer)
        ws.prefault(killed_log);
    ws.shared().consumers_go = plan.kill_a_consumer ? 0 : 1;

    ChildProcesses children;
    std::vector<pid_t> producers, consumers;
    const auto start = std::chrono::steady_clock::now();
    auto consumer_process = [&](int first_log, int threads, bool wait_for_go) {
        return children.spawn([&, first_log, threads, wait_for_go] {
            while (wait_for_go && ws.shared().consumers_go.load() == 0)
                ::usleep(1000);
            return run_threads(name, PMQ_READ, threads, plan.signal_storm, ws,
                               [&](pmq_queue *handle, int t) {
                                   return consume(handle, name, first_log + t,
                                                  ws.log(first_log + t), ws.capacity(),
                                                  ws.consumer(first_log + t),
                                                  first_log + t == killed_log);
                               });
        });
    };
    pid_t victim = -1;
    if (plan.kill_a_consumer)
        victim = consumer_process(killed_log, 1, false);
    for (int p = 0; p < plan.consumer_processes; ++p)
        consumers.push_back(consumer_process(p * plan.consumer_threads, plan.consumer_threads,
                                             plan.kill_a_consumer));
    for (int p = 0; p < plan.producer_processes; ++p)
        producers.push_back(children.spawn([&, p] {
            return run_threads(name, PMQ_WRITE, plan.producer_threads, plan.signal_storm, ws,
                               [&](pmq_queue *handle, int t) {
                                   const int id = p * plan.producer_threads + t;
                                   return produce(handle, name, id, plan, ws.producer(id));
                               });
        }));
    for (const pid_t pid : producers)
        ASSERT_GT(pid, 0) << "fork failed";
    for (const pid_t pid : consumers)
        ASSERT_GT(pid, 0) << "fork failed";

    if (plan.kill_a_consumer) {
        // Kill the only consumer while the producers are still sending.
        ASSERT_GT(victim, 0) << "fork failed";
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (ws.consumer(killed_log).done.load() < victim_quota &&
               std::chrono::steady_clock::now() < give_up)
            ::usleep(100);
        ASSERT_GE(ws.consumer(killed_log).done.load(), victim_quota)
            << "the consumer to kill received too little";
        ::kill(victim, SIGKILL);
        const int status = children.wait(victim);
        ASSERT_TRUE(WIFSIGNALED(status)) << describe_wait_status(status);
        std::uint64_t sent = 0;
        for (int p = 0; p < plan.producers(); ++p)
            sent += ws.producer(p).done.load();
        EXPECT_LT(sent, plan.messages()) << "the consumer was killed after the producers ended";
        ws.shared().consumers_go = 1;
    }

    for (const pid_t pid : producers) {
        const int status = children.wait(pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "a producer " << describe_wait_status(status);
    }
    // One stop per consumer thread, below every data priority: it comes last.
    unsigned char stop[stress_message_size];
    for (int c = 0; c < plan.consumers(); ++c) {
        const std::size_t length = encode_stress_message(stop_magic, 0, 0, 0, stop);
        ASSERT_EQ(pmq_send(q, stop, length, 0), 0) << pmq_last_error();
    }
    for (const pid_t pid : consumers) {
        const int status = children.wait(pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "a consumer " << describe_wait_status(status);
    }
    figures.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), 0) << pmq_last_error();
    EXPECT_EQ(attr.current_messages, 0) << "messages left in the queue";
    verify_logs(plan, ws, killed_log, figures);
    for (int i = 0; i < plan.producers(); ++i)
        figures.interrupted += ws.producer(i).interrupted.load();
    for (int i = 0; i < ws.logs(); ++i)
        figures.interrupted += ws.consumer(i).interrupted.load();
    figures.signals = ws.shared().signals_delivered.load();
    std::printf("[ figures  ] %zu messages, %d producer and %d consumer threads, queue depth "
                "%lld: %.2f s, %.0f messages/s; %llu signals, %llu interrupted calls retried\n",
                plan.messages(), plan.producers(), plan.consumers(),
                static_cast<long long>(depth), figures.seconds,
                static_cast<double>(plan.messages()) / figures.seconds,
                static_cast<unsigned long long>(figures.signals),
                static_cast<unsigned long long>(figures.interrupted));
    testing::Test::RecordProperty("messages_per_second",
                                  std::to_string(static_cast<long long>(
                                      static_cast<double>(plan.messages()) / figures.seconds)));
}

TEST(Stress, ProducersAndConsumersLoseNothing)
{
    Plan plan;
    plan.messages_per_producer = 50000;
    Figures figures;
    run_stress(plan, figures);
}

TEST(Stress, SignalStormWithoutRestartLosesNothing)
{
    Plan plan;
    plan.signal_storm = true;
    plan.messages_per_producer = 50000;
    Figures figures;
    run_stress(plan, figures);
    // The storm must really have interrupted calls, or this test proved nothing.
    EXPECT_GT(figures.signals, 0u);
    EXPECT_GT(figures.interrupted, 0u) << "no call was interrupted: the storm missed";
    testing::Test::RecordProperty("interrupted_calls", std::to_string(figures.interrupted));
}

TEST(Stress, KilledConsumerLeavesItsMessagesToOthers)
{
    Plan plan;
    plan.kill_a_consumer = true;
    plan.messages_per_producer = 20000;
    Figures figures;
    run_stress(plan, figures);
    EXPECT_GT(figures.received_by_killed, 0u);
    std::printf("[ figures  ] the killed consumer had received %zu messages; the others "
                "received all the rest\n",
                figures.received_by_killed);
}

} // namespace
