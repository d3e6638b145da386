// A pmq subcommand: its CLI11 parser and what runs once the whole command
// line has parsed (so a usage error never leaves anything half done).
#pragma once

#include "exit_status.hpp"

#include <CLI/CLI.hpp>

#include <functional>

namespace pmq_cli {

struct Command {
    CLI::App *parser;
    std::function<ExitStatus()> run;
};

// Each adds its subcommand to `pmq` and returns it; defined in <name>_command.cpp.
Command add_create_command(CLI::App &pmq);
Command add_send_command(CLI::App &pmq);
Command add_recv_command(CLI::App &pmq);
Command add_info_command(CLI::App &pmq);
Command add_ls_command(CLI::App &pmq);
Command add_unlink_command(CLI::App &pmq);
Command add_limits_command(CLI::App &pmq);

} // namespace pmq_cli
