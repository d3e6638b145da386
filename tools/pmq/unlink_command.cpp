// pmq unlink NAME...
#include "command.hpp"
#include "failure.hpp"
#include "queue_name.hpp"

#include <pmq/pmq.h>

#include <memory>
#include <string>
#include <vector>

namespace pmq_cli {

Command add_unlink_command(CLI::App &pmq)
{
    auto names = std::make_shared<std::vector<std::string>>();
    CLI::App *unlink = pmq.add_subcommand(
        "unlink", "Remove queues by name (each lives on until its last user closes it)");
    unlink->add_option("NAME", *names, "Queue names, e.g. /jobs (the '/' may be omitted)")->required();
    return {unlink, [names] {
                // Every name is tried; one failure does not spare the rest.
                ExitStatus status = ExitStatus::success;
                for (const std::string &argument : *names) {
                    if (pmq_unlink(queue_name(argument).c_str()) < 0)
                        status = report_library_failure();
                }
                return status;
            }};
}

} // namespace pmq_cli
