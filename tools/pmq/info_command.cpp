// pmq info NAME [--json]
#include "command.hpp"
#include "failure.hpp"
#include "json_text.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace pmq_cli {

namespace {

struct InfoOptions {
    std::string name;
    bool json = false;
};

ExitStatus run_info(const InfoOptions &options)
{
    const std::string name = queue_name(options.name);
    pmq_attr attr{};
    if (pmq_info(name.c_str(), &attr) < 0)
        return report_library_failure();
    if (options.json) {
        nlohmann::json object = nlohmann::json::object();
        set_queue_name(object, name);
        object["max_messages"] = attr.max_messages;
        object["message_size"] = attr.message_size;
        object["current_messages"] = attr.current_messages;
        std::cout << object.dump(2) << '\n';
    } else {
        std::cout << "name: " << name << '\n'
                  << "max_messages: " << attr.max_messages << '\n'
                  << "message_size: " << attr.message_size << '\n'
                  << "current_messages: " << attr.current_messages << '\n';
    }
    return ExitStatus::success;
}

} // namespace

Command add_info_command(CLI::App &pmq)
{
    auto options = std::make_shared<InfoOptions>();
    CLI::App *info = pmq.add_subcommand("info", "Show a queue's attributes");
    info->add_option("NAME", options->name, "Queue name, e.g. /jobs (the '/' may be omitted)")
        ->required();
    info->add_flag("--json", options->json, "Print a JSON object");
    return {info, [options] { return run_info(*options); }};
}

} // namespace pmq_cli
