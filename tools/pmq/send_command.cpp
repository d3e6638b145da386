// pmq send NAME [MESSAGE...] [--priority P] [--timeout MS] [--nonblock] [--raw]
#include "argument_checks.hpp"
#include "command.hpp"
#include "failure.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace pmq_cli {

namespace {

struct SendOptions {
    std::string name;
    std::vector<std::string> messages; // none: read standard input
    unsigned priority = 0;
    int timeout_ms = -1; // wait as long as it takes
    bool nonblock = false;
    bool raw = false;
};

class Sender {
public:
    Sender(pmq_queue *queue, const SendOptions &options)
        : queue_(queue), priority_(options.priority),
          timeout_ms_(options.nonblock ? 0 : options.timeout_ms)
    {
    }

    // False once a message could not be sent; status() then says why.
    bool send(const std::string &message)
    {
        const int rc = pmq_send_timed(queue_, message.data(), message.size(), priority_, timeout_ms_);
        if (rc == 0) {
            ++sent_;
            return true;
        }
        if (rc == PMQ_EAGAIN || rc == PMQ_ETIMEDOUT) {
            std::cerr << "pmq: " << pmq_name(queue_) << " stayed full; gave up after sending " << sent_
                      << (sent_ == 1 ? " message" : " messages") << '\n';
            status_ = ExitStatus::timed_out;
        } else {
            status_ = report_library_failure();
        }
        return false;
    }

    ExitStatus status() const { return status_; }

private:
    pmq_queue *queue_;
    unsigned priority_;
    int timeout_ms_;
    unsigned long sent_ = 0;
    ExitStatus status_ = ExitStatus::success;
};

ExitStatus run_send(const SendOptions &options)
{
    const std::string name = queue_name(options.name);
    pmq_queue *queue = nullptr;
    if (pmq_open(name.c_str(), PMQ_WRITE, &queue) < 0)
        return report_library_failure();
    Sender sender(queue, options);

    if (!options.messages.empty()) {
        for (const std::string &message : options.messages) {
            if (!sender.send(message))
                break;
        }
    } else if (options.raw) {
        const std::string all{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        sender.send(all);
    } else {
        // One message per line, sent as it arrives so that a pipe can feed a queue.
        std::string line;
        while (std::getline(std::cin, line)) {
            if (!sender.send(line))
                break;
        }
    }
    pmq_close(queue);
    return sender.status();
}

} // namespace

Command add_send_command(CLI::App &pmq)
{
    auto options = std::make_shared<SendOptions>();
    CLI::App *send = pmq.add_subcommand(
        "send", "Send each MESSAGE; with none, each line of standard input is one message");
    send->add_option("NAME", options->name, "Queue name, e.g. /jobs (the '/' may be omitted)")
        ->required();
    CLI::Option *messages =
        send->add_option("MESSAGE", options->messages, "One message per argument (use -- before ones starting with -)");
    send->add_option("-p,--priority", options->priority,
                     "Priority 0 .. prio_max-1 (see 'pmq limits'); higher is received first")
        ->check(whole_number_in(priority_range));
    CLI::Option *timeout = send->add_option(
        "-t,--timeout", options->timeout_ms,
        "Wait at most MS milliseconds for room; exit 3 if there is none (default: wait forever)");
    timeout->check(whole_number_in(timeout_range));
    send->add_flag("-n,--nonblock", options->nonblock,
                   "Do not wait for room; exit 3 if the queue is full")
        ->excludes(timeout);
    send->add_flag("--raw", options->raw, "All of standard input is one message, newlines included")
        ->excludes(messages);
    return {send, [options] { return run_send(*options); }};
}

} // namespace pmq_cli
