#include "hosts.hpp"

#include <pmq/pmq.h>

#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "../statistics.hpp"
#include "jetstream.hpp"
#include "payload.hpp"
#include "processes.hpp"

namespace bridge_bench {

namespace {

// Names on both sides.  Each host has its own IPC namespace, so the queue
// name is the same on A and B without the two meeting.
constexpr const char *queue_name = "/pmq-bench-bridge";
constexpr std::int64_t queue_message_size = 8192;
constexpr const char *bridge_subject = "pmq.bench.bridge";
constexpr const char *bridge_stream = "pmq_bench_bridge";
constexpr const char *bridge_durable = "pmq-bench-bridge";
constexpr const char *floor_subject = "pmq.bench.floor";
constexpr const char *floor_stream = "pmq_bench_floor";
constexpr const char *floor_durable = "pmq-bench-floor";

constexpr int stall_timeout_ms = 30000; // no message for this long: something is broken

enum class Op : int { measure, purge, quit };

struct Command {
    Op op;
    Measure measure;
    Style style;
    std::uint64_t size;
    std::uint32_t count;
    std::uint32_t tag;
};

void write_all(int fd, const void *data, std::size_t length, const char *what)
{
    const auto *p = static_cast<const char *>(data);
    while (length > 0) {
        const ssize_t n = ::write(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die(what, std::strerror(errno));
        p += n;
        length -= static_cast<std::size_t>(n);
    }
}

// False at end of file (the other side exited).
bool read_all(int fd, void *data, std::size_t length, const char *what)
{
    auto *p = static_cast<char *>(data);
    while (length > 0) {
        const ssize_t n = ::read(fd, p, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die(what, std::strerror(errno));
        if (n == 0)
            return false;
        p += n;
        length -= static_cast<std::size_t>(n);
    }
    return true;
}

// A host's own world: its namespace, queue, bridge process and NATS connection.
class HostSide {
public:
    HostSide(Host::Role role, const HostSettings &s, int go)
        : role_(role), go_(go), buffer_(static_cast<std::size_t>(queue_message_size))
    {
        const char *who = role == Host::Role::sender ? "host A" : "host B";
        if (::unshare(CLONE_NEWIPC) != 0)
            die(std::string(who) + ": unshare(CLONE_NEWIPC)",
                std::string(std::strerror(errno)) +
                    "; each host is a private IPC namespace, which needs root (CAP_SYS_ADMIN)");
        if (s.queue_depth > 10) { // root may raise the limit inside its own namespace
            std::ofstream limit("/proc/sys/fs/mqueue/msg_max");
            limit << s.queue_depth << "\n";
        }
        if (pmq_create(queue_name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0600, s.queue_depth,
                       queue_message_size, &queue_) != 0)
            die(std::string(who) + ": pmq_create", pmq_last_error());

        const bool exporting = role == Host::Role::sender;
        const std::string state = s.scratch + (exporting ? "/state-export" : "/state-import");
        std::vector<std::string> argv = {
            s.bridge_program, exporting ? "export" : "import", queue_name,
            "--server", s.server_url, "--subject", bridge_subject, "--stream", bridge_stream,
            "--state-dir", state};
        if (!exporting) {
            argv.push_back("--durable");
            argv.push_back(bridge_durable);
        }
        log_ = s.scratch + (exporting ? "/export.log" : "/import.log");
        bridge_ = spawn(argv, log_);

        js_ = std::make_unique<JetStream>(s.server_url);
        if (exporting) {
            js_->wait_for_stream(bridge_stream, 60000);
            js_->copy_stream(bridge_stream, floor_stream, floor_subject);
        } else {
            floor_ = js_->pull_subscribe(floor_stream, floor_subject, floor_durable);
        }
    }

    ~HostSide()
    {
        if (bridge_ > 0)
            stop(bridge_);
        js_.reset();
        pmq_close(queue_);
        pmq_unlink(queue_name);
    }

    Report run(const Command &c)
    {
        Report r{};
        r.ok = 1;
        const std::size_t size = c.size;
        if (role_ == Host::Role::sender)
            send(c, size, r);
        else
            receive(c, size, r);
        return r;
    }

    void purge()
    {
        js_->purge(bridge_stream);
        js_->purge(floor_stream);
    }

private:
    void send(const Command &c, std::size_t size, Report &r)
    {
        unsigned char *message = buffer_.data();
        const std::string id_prefix = "m-" + std::to_string(c.tag) + "-";
        r.first_sent_ns = monotonic_ns();
        for (std::uint32_t i = 0; i < c.count; ++i) {
            fill_message(message, size, i);
            if (c.style == Style::bridge) {
                if (pmq_send(queue_, message, size, 0) != 0)
                    die("host A: pmq_send", pmq_last_error());
            } else {
                js_->publish_async(floor_subject, floor_stream, message, size, id_prefix + std::to_string(i));
            }
            if (c.measure == Measure::latency) {
                char next = 0;
                if (!read_all(go_, &next, 1, "host A: waiting for host B"))
                    die("host A", "host B stopped during a latency measurement");
            }
        }
        r.last_sent_ns = monotonic_ns();
        if (c.style != Style::bridge)
            js_->complete_publishes();
    }

    void receive(const Command &c, std::size_t size, Report &r)
    {
        std::vector<double> latencies;
        latencies.reserve(c.measure == Measure::latency ? c.count : 0);
        auto take = [&](const unsigned char *data, std::size_t length) {
            const std::uint64_t now = monotonic_ns();
            const Received m = read_message(data, length, size);
            if (!m.intact || m.sequence != r.received)
                ++r.damaged;
            ++r.received;
            r.last_received_ns = now;
            if (c.measure == Measure::latency) {
                latencies.push_back(static_cast<double>(now - m.sent_ns));
                const char next = 1;
                write_all(go_, &next, 1, "host B: telling host A");
            }
        };
        const int batch = c.measure == Measure::latency ? 1 : 256;
        while (r.received < c.count) {
            if (c.style == Style::bridge) {
                unsigned priority = 0;
                const int n = pmq_recv_timed(queue_, buffer_.data(), buffer_.size(), &priority,
                                             stall_timeout_ms);
                if (n < 0) {
                    stalled(c, r, n == PMQ_ETIMEDOUT ? "" : pmq_last_error());
                    return;
                }
                take(buffer_.data(), static_cast<std::size_t>(n));
            } else if (js_->fetch(floor_, batch, stall_timeout_ms, take) == 0) {
                stalled(c, r, "");
                return;
            }
        }
        if (c.measure == Measure::latency) {
            r.p50_ns = bench::percentile(latencies, 0.50);
            r.p99_ns = bench::percentile(latencies, 0.99);
        }
    }

    void stalled(const Command &c, Report &r, const std::string &why)
    {
        r.ok = 0;
        std::snprintf(r.error, sizeof r.error,
                      "host B received %u of %u messages, then nothing for %d s%s%s%s%s",
                      r.received, c.count, stall_timeout_ms / 1000, why.empty() ? "" : ": ",
                      why.c_str(), c.style == Style::bridge ? "; the bridges' logs: " : "",
                      c.style == Style::bridge ? log_.c_str() : "");
    }

    Host::Role role_;
    int go_;
    std::vector<unsigned char> buffer_;
    pmq_queue *queue_ = nullptr;
    pid_t bridge_ = 0;
    std::string log_;
    std::unique_ptr<JetStream> js_;
    natsSubscription *floor_ = nullptr;  // host B's consumer, owned by js_
};

[[noreturn]] void serve(Host::Role role, const HostSettings &settings, int channel, int go)
{
    {
        HostSide side(role, settings, go);
        Report ready{};
        ready.ok = 1;
        write_all(channel, &ready, sizeof ready, "host: ready");
        Command c{};
        while (read_all(channel, &c, sizeof c, "host: reading a command") && c.op != Op::quit) {
            Report r{};
            r.ok = 1;
            if (c.op == Op::purge)
                side.purge();
            else
                r = side.run(c);
            write_all(channel, &r, sizeof r, "host: report");
        }
    }
    std::fflush(nullptr);
    ::_exit(0);
}

} // namespace

Host::Host(Role role, const HostSettings &settings, const int go[2]) : role_(role)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        die("socketpair", std::strerror(errno));
    pid_ = fork_child();
    if (pid_ == 0) {
        ::close(pair[0]);
        ::close(role == Role::sender ? go[1] : go[0]);
        serve(role, settings, pair[1], role == Role::sender ? go[0] : go[1]);
    }
    ::close(pair[1]);
    socket_ = pair[0];
    Report ready = finish();
    if (!ready.ok)
        die(name(), ready.error);
}

Host::~Host()
{
    const Command quit{Op::quit, Measure::throughput, Style::bridge, 0, 0, 0};
    write_all(socket_, &quit, sizeof quit, "telling a host to stop");
    int status = 0;
    ::waitpid(pid_, &status, 0);
    ::close(socket_);
}

const char *Host::name() const
{
    return role_ == Role::sender ? "host A (sender, export bridge)"
                                 : "host B (receiver, import bridge)";
}

void Host::start(Measure measure, Style style, std::size_t size, std::uint32_t count,
                 std::uint32_t tag)
{
    const Command c{Op::measure, measure, style, size, count, tag};
    write_all(socket_, &c, sizeof c, name());
}

Report Host::finish()
{
    Report r{};
    if (!read_all(socket_, &r, sizeof r, name()))
        die(name(), "stopped (its error is above)");
    return r;
}

void Host::purge()
{
    const Command c{Op::purge, Measure::throughput, Style::bridge, 0, 0, 0};
    write_all(socket_, &c, sizeof c, name());
    const Report r = finish();
    if (!r.ok)
        die(name(), r.error);
}

} // namespace bridge_bench
