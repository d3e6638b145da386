// pmq create NAME [--max-messages N] [--message-size BYTES] [--mode OCTAL] [--exclusive]
#include "argument_checks.hpp"
#include "command.hpp"
#include "failure.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

namespace pmq_cli {

namespace {

struct CreateOptions {
    std::string name;
    std::int64_t max_messages = 0; // 0: the system default (msg_default)
    std::int64_t message_size = 0; // 0: the system default (msgsize_default)
    std::string mode = "0";        // 0: the library's default, 0600
    bool exclusive = false;
};

ExitStatus run_create(const CreateOptions &options)
{
    const std::string name = queue_name(options.name);
    const unsigned mode = static_cast<unsigned>(std::stoul(options.mode, nullptr, 8));
    const unsigned flags = PMQ_WRITE | (options.exclusive ? PMQ_EXCL : 0u);
    pmq_queue *queue = nullptr;
    if (pmq_create(name.c_str(), flags, mode, options.max_messages, options.message_size, &queue) < 0)
        return report_library_failure();

    // An existing queue keeps its own attributes: say so rather than let the
    // user believe the requested ones took effect.
    pmq_attr attr{};
    const bool have_attr = pmq_getattr(queue, &attr) == 0;
    pmq_close(queue);
    if (have_attr && ((options.max_messages != 0 && attr.max_messages != options.max_messages) ||
                      (options.message_size != 0 && attr.message_size != options.message_size))) {
        std::cerr << "pmq: " << name << " already exists with max_messages " << attr.max_messages
                  << " and message_size " << attr.message_size
                  << "; it keeps them (use --exclusive to fail instead)\n";
    }
    return ExitStatus::success;
}

} // namespace

Command add_create_command(CLI::App &pmq)
{
    auto options = std::make_shared<CreateOptions>();
    CLI::App *create = pmq.add_subcommand(
        "create", "Create a queue, or open it if it exists (it then keeps its attributes)");
    create->add_option("NAME", options->name, "Queue name, e.g. /jobs (the '/' may be omitted)")
        ->required();
    create->add_option("--max-messages", options->max_messages,
                       "How many messages it holds (default: fs.mqueue.msg_default)")
        ->check(whole_number_in(max_messages_range));
    create->add_option("--message-size", options->message_size,
                       "Largest message in bytes (default: fs.mqueue.msgsize_default)")
        ->check(whole_number_in(message_size_range));
    create->add_option("--mode", options->mode, "Permission bits, e.g. 0660 (default 0600; umask applies)")
        ->check(permission_bits);
    create->add_flag("--exclusive", options->exclusive, "Fail if the queue already exists");
    return {create, [options] { return run_create(*options); }};
}

} // namespace pmq_cli
