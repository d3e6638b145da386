// pmq recv NAME [--count N] [--follow] [--timeout MS] [--nonblock]
//               [--show-priority] [--format text|hex|json]
#include "argument_checks.hpp"
#include "command.hpp"
#include "failure.hpp"
#include "interrupt_watch.hpp"
#include "message_format.hpp"
#include "message_wait.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
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

constexpr int standard_output = 1;

// Writes all of text to fd; 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text)
{
    while (!text.empty()) {
        const ssize_t written = ::write(fd, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

std::string messages_text(unsigned long n)
{
    return std::to_string(n) + (n == 1 ? " message" : " messages");
}

// Takes messages one at a time, only once standard output can still be
// written, and puts a message back if writing it fails after all: a reader
// that goes away loses no message.
class Receiver {
public:
    Receiver(pmq_queue *queue, bool can_put_back, std::size_t message_size, MessageFormat format,
             bool show_priority)
        : queue_(queue), can_put_back_(can_put_back), buffer_(message_size), format_(format),
          show_priority_(show_priority)
    {
    }

    enum class Result { received, empty, interrupted, failed };

    // Waits until `deadline` for a message and writes it to standard output;
    // with a watch, SIGINT and SIGTERM end the wait.
    Result receive(const Deadline &deadline, const InterruptWatch *watch)
    {
        const int queue_fd = pmq_fd(queue_);
        if (queue_fd < 0) {
            report_library_failure();
            return Result::failed;
        }
        for (;;) {
            const MessageWait wait = watch != nullptr
                                         ? watch->wait(queue_fd, standard_output, deadline)
                                         : wait_for_message(queue_fd, standard_output, deadline, nullptr);
            switch (wait) {
            case MessageWait::interrupted:
                if (watch != nullptr)
                    return Result::interrupted;
                continue; // a handler that is not ours ran: wait on
            case MessageWait::timed_out:
                return Result::empty;
            case MessageWait::output_closed:
                report_failure("standard output was closed (its reader went away); stopped after " +
                               messages_text(received_) + ", and took no other");
                return Result::failed;
            case MessageWait::failed:
                report_failure(std::string("cannot wait for a message: ") + std::strerror(errno));
                return Result::failed;
            case MessageWait::message_waiting:
                break;
            }
            unsigned priority = 0;
            const int length = pmq_recv_timed(queue_, buffer_.data(), buffer_.size(), &priority, 0);
            if (length == PMQ_EAGAIN || length == PMQ_ETIMEDOUT)
                continue; // another reader took it first: wait again
            if (length < 0) {
                report_library_failure();
                return Result::failed;
            }
            const std::string_view message(buffer_.data(), static_cast<std::size_t>(length));
            // Each message is out before the next leaves the queue: a reader of
            // --follow sees it at once, and a failed write stops the taking.
            if (const int error = write_all(standard_output,
                                            formatted_message(format_, message, priority, show_priority_))) {
                put_back(message, priority, error);
                return Result::failed;
            }
            ++received_;
            return Result::received;
        }
    }

    unsigned long received() const { return received_; }

private:
    void put_back(std::string_view message, unsigned priority, int write_error)
    {
        const std::string stopped = std::string("cannot write to standard output (") +
                                    std::strerror(write_error) + "); stopped after " +
                                    messages_text(received_) + "; ";
        if (!can_put_back_) {
            report_failure(stopped + "the message just taken is lost: this user may not send to the "
                                     "queue, so it could not be put back");
            return;
        }
        if (pmq_send_timed(queue_, message.data(), message.size(), priority, 0) == 0) {
            report_failure(stopped + "the message just taken was put back at its priority, " +
                           std::to_string(priority) + ", behind those of the same priority");
            return;
        }
        report_failure(stopped + "the message just taken is lost: it could not be put back (" +
                       in_tool_words(pmq_last_error()) + ")");
    }

    pmq_queue *queue_;
    bool can_put_back_;
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
        switch (receiver.receive(deadline_after(timeout_ms), nullptr)) {
        case Receiver::Result::received:
            break;
        case Receiver::Result::empty:
            return report_empty(pmq_name(queue), std::to_string(receiver.received()) + " of " +
                                                         std::to_string(options.count) + " messages");
        case Receiver::Result::interrupted: // no watch, so never
        case Receiver::Result::failed:
            return ExitStatus::failure;
        }
    }
    return ExitStatus::success;
}

// Until SIGINT or SIGTERM, or until a wait runs out (a drain with --nonblock).
ExitStatus follow(Receiver &receiver, pmq_queue *queue, int timeout_ms)
{
    const InterruptWatch watch;
    for (;;) {
        switch (receiver.receive(deadline_after(timeout_ms), &watch)) {
        case Receiver::Result::received:
            break;
        case Receiver::Result::interrupted:
            return ExitStatus::success;
        case Receiver::Result::empty:
            return receiver.received() > 0 ? ExitStatus::success
                                           : report_empty(pmq_name(queue), "no message");
        case Receiver::Result::failed:
            return ExitStatus::failure;
        }
    }
}

// Read and write, so that a message that cannot be written can be put back;
// read only when this user may not send to the queue.
pmq_queue *open_for_receiving(const std::string &name, bool &can_put_back)
{
    pmq_queue *queue = nullptr;
    can_put_back = true;
    const int rc = pmq_open(name.c_str(), PMQ_READ | PMQ_WRITE, &queue);
    if (rc == 0)
        return queue;
    if (rc != PMQ_EACCES)
        return nullptr;
    can_put_back = false;
    return pmq_open(name.c_str(), PMQ_READ, &queue) == 0 ? queue : nullptr;
}

ExitStatus run_recv(const RecvOptions &options)
{
    const std::optional<MessageFormat> format = message_format_named(options.format);
    if (!format) // --format is checked when parsed
        return report_failure("unknown --format '" + options.format + "'");
    const std::string name = queue_name(options.name);
    bool can_put_back = false;
    pmq_queue *queue = open_for_receiving(name, can_put_back);
    if (queue == nullptr)
        return report_library_failure();
    pmq_attr attr{};
    if (pmq_getattr(queue, &attr) < 0) {
        const ExitStatus status = report_library_failure();
        pmq_close(queue);
        return status;
    }
    Receiver receiver(queue, can_put_back, static_cast<std::size_t>(attr.message_size), *format,
                      options.show_priority);
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
            ->check(whole_number_in(count_range));
    recv->add_flag("-f,--follow", options->follow,
                   "Keep receiving until interrupted (SIGINT or SIGTERM: exit 0 after the current message)")
        ->excludes(count);
    CLI::Option *timeout = recv->add_option(
        "-t,--timeout", options->timeout_ms,
        "Wait at most MS milliseconds for each message; exit 3 if none came (default: wait forever)");
    timeout->check(whole_number_in(timeout_range));
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
