// pmq limits [--json]
#include "command.hpp"
#include "failure.hpp"

#include <pmq/pmq.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pmq_cli {

namespace {

ExitStatus run_limits(bool json)
{
    pmq_limits limits{};
    if (pmq_get_limits(&limits) < 0)
        return report_library_failure();
    const std::vector<std::pair<const char *, std::int64_t>> fields = {
        {"prio_max", limits.prio_max},
        {"name_max", limits.name_max},
        {"msg_max", limits.msg_max},
        {"msgsize_max", limits.msgsize_max},
        {"msg_default", limits.msg_default},
        {"msgsize_default", limits.msgsize_default},
        {"queues_max", limits.queues_max},
        {"rlimit_msgqueue", limits.rlimit_msgqueue},
    };
    if (json) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto &[name, value] : fields)
            object[name] = value;
        std::cout << object.dump(2) << '\n';
        return ExitStatus::success;
    }
    for (const auto &[name, value] : fields) {
        std::cout << name << ": ";
        // -1: the platform does not say, or, for rlimit_msgqueue, no limit.
        if (value >= 0)
            std::cout << value;
        else
            std::cout << (std::string(name) == "rlimit_msgqueue" ? "unlimited" : "unknown");
        std::cout << '\n';
    }
    return ExitStatus::success;
}

} // namespace

Command add_limits_command(CLI::App &pmq)
{
    auto json = std::make_shared<bool>(false);
    CLI::App *limits = pmq.add_subcommand(
        "limits", "Show the system's limits on queues (fs.mqueue.* and RLIMIT_MSGQUEUE)");
    limits->add_flag("--json", *json, "Print a JSON object (-1 where the platform does not say; "
                                      "for rlimit_msgqueue, unlimited)");
    return {limits, [json] { return run_limits(*json); }};
}

} // namespace pmq_cli
