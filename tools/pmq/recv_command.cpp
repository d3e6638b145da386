// pmq recv NAME [--count N] [--follow] [--timeout MS] [--nonblock]
//               [--show-priority] [--format text|hex|json]
#include "argument_checks.hpp"
#include "command.hpp"
#include "failure.hpp"
#include "interrupt_watch.hpp"
#include "message_format.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pmq_cli {

namespace {

struct RecvOptions {
    std::string name;
    unsigned long count = 1;
    bool follow = false;
    int timeout_ms = -1; // wait as long as it takes
    bool nonblock = false;
    bool show_priority = false;
    std::string format = "text";
};

class Receiver {
public:
    Receiver(pmq_queue *queue, std::size_t message_size, const RecvOptions &options)
        : queue_(queue), buffer_(message_size),
          format_(message_format_named(options.format)), show_priority_(options.show_priority)
    {
    }

    enum class Result { received, empty, failed };

    // Receives one message and writes it to standard output.
    Result receive(int timeout_ms)
    {
        unsigned priority = 0;
        const int length = pmq_recv_timed(queue_, buffer_.data(), buffer_.size(), &priority, timeout_ms);
        if (length == PMQ_EAGAIN || length == PMQ_ETIMEDOUT)
            return Result::empty;
        if (length < 0) {
            report_library_failure();
            return Result::failed;
        }
        write_message(std::cout, format_, std::string_view(buffer_.data(), static_cast<std::size_t>(length)),
                      priority, show_priority_);
        // Each message is out before the next leaves the queue: a reader of
        // --follow sees it at once, and a failed write stops the taking.
        if (!std::cout.flush()) {
            report_failure("cannot write to standard output; stopped after this message, "
                           "which is lost");
            return Result::failed;
        }
        ++received_;
        return Result::received;
    }

    unsigned long received() const { return received_; }

private:
    pmq_queue *queue_;
    std::vector<char> buffer_;
    MessageFormat format_;
    bool show_priority_;
    unsigned long received_ = 0;
};

ExitStatus report_empty(const char *name, const std::string &what_was_received)
{
    std::cerr << "pmq: " << name << " stayed empty: " << what_was_received << " received\n";
    return ExitStatus::timed_out;
}

// Until --count messages are received, or a wait runs out.
ExitStatus receive_count(Receiver &receiver, pmq_queue *queue, int timeout_ms, const RecvOptions &options)
{
    while (receiver.received() < options.count) {
        switch (receiver.receive(timeout_ms)) {
        case Receiver::Result::received:
            break;
        case Receiver::Result::empty:
            return report_empty(pmq_name(queue), std::to_string(receiver.received()) + " of " +
                                                         std::to_string(options.count) + " messages");
        case Receiver::Result::failed:
            return ExitStatus::failure;
        }
    }
    return ExitStatus::success;
}

// Until SIGINT or SIGTERM, or until a wait runs out (a drain with --nonblock).
ExitStatus follow(Receiver &receiver, pmq_queue *queue, int timeout_ms)
{
    const int fd = pmq_fd(queue);
    if (fd < 0)
        return report_library_failure();
    const InterruptWatch watch;
    for (;;) {
        switch (watch.wait_readable(fd, timeout_ms)) {
        case InterruptWatch::Wait::interrupted:
            return ExitStatus::success;
        case InterruptWatch::Wait::timed_out:
            return receiver.received() > 0 ? ExitStatus::success
                                           : report_empty(pmq_name(queue), "no message");
        case InterruptWatch::Wait::readable:
            // Another reader may have taken it first: then wait again.
            if (receiver.receive(0) == Receiver::Result::failed)
                return ExitStatus::failure;
            break;
        }
    }
}

ExitStatus run_recv(const RecvOptions &options)
{
    const std::string name = queue_name(options.name);
    pmq_queue *queue = nullptr;
    if (pmq_open(name.c_str(), PMQ_READ, &queue) < 0)
        return report_library_failure();
    pmq_attr attr{};
    if (pmq_getattr(queue, &attr) < 0) {
        const ExitStatus status = report_library_failure();
        pmq_close(queue);
        return status;
    }
    Receiver receiver(queue, static_cast<std::size_t>(attr.message_size), options);
    const int timeout_ms = options.nonblock ? 0 : options.timeout_ms;
    const ExitStatus status = options.follow ? follow(receiver, queue, timeout_ms)
                                             : receive_count(receiver, queue, timeout_ms, options);
    pmq_close(queue);
    return status;
}

} // namespace

Command add_recv_command(CLI::App &pmq)
{
    auto options = std::make_shared<RecvOptions>();
    CLI::App *recv = pmq.add_subcommand(
        "recv", "Receive messages, highest priority first, and write them to standard output");
    recv->add_option("NAME", options->name, "Queue name, e.g. /jobs (the '/' may be omitted)")
        ->required();
    CLI::Option *count =
        recv->add_option("-c,--count", options->count, "Receive N messages (default 1)")
            ->check(positive_whole_number);
    recv->add_flag("-f,--follow", options->follow,
                   "Keep receiving until interrupted (SIGINT or SIGTERM: exit 0 after the current message)")
        ->excludes(count);
    CLI::Option *timeout = recv->add_option(
        "-t,--timeout", options->timeout_ms,
        "Wait at most MS milliseconds for each message; exit 3 if none came (default: wait forever)");
    timeout->check(whole_number);
    recv->add_flag("-n,--nonblock", options->nonblock,
                   "Do not wait: take only what is queued now; exit 3 if that is too little")
        ->excludes(timeout);
    recv->add_flag("-P,--show-priority", options->show_priority,
                   "Start each text or hex line with the priority and a tab");
    recv->add_option("--format", options->format,
                     "text: the message and a newline; hex: its bytes in hex; json: one object a line")
        ->check(CLI::IsMember({"text", "hex", "json"}));
    return {recv, [options] { return run_recv(*options); }};
}

} // namespace pmq_cli
