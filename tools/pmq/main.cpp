// pmq: see, create, fill, drain and remove POSIX message queues from a shell.
#include "command.hpp"
#include "failure.hpp"

#include <pmq/pmq.h>

#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

using pmq_cli::Command;
using pmq_cli::ExitStatus;

namespace {

std::string version_text()
{
    return std::string("pmq ") + PMQ_VERSION_STRING + " (libpmq " + pmq_version_string() + ")";
}

// What went wrong first, then the usage of the command it concerns.
std::string usage_error(const CLI::App *app, const CLI::Error &e)
{
    return "pmq: " + std::string(e.what()) + "\n\n" + app->help();
}

// CLI11 would call an unknown command (or option before the command) a
// missing command; say what it is.
bool names_a_command(const char *argument, const std::vector<Command> &commands)
{
    for (const Command &command : commands) {
        if (command.parser->check_name(argument))
            return true;
    }
    return false;
}

int run_pmq(int argc, char **argv)
{
    CLI::App pmq{"pmq: see, create, fill, drain and remove POSIX message queues", "pmq"};
    pmq.set_version_flag("--version", version_text, "Print the versions of pmq and libpmq and exit");
    pmq.require_subcommand(1);
    pmq.failure_message(usage_error);

    const std::vector<Command> commands = {
        pmq_cli::add_create_command(pmq), pmq_cli::add_send_command(pmq),
        pmq_cli::add_recv_command(pmq),   pmq_cli::add_info_command(pmq),
        pmq_cli::add_ls_command(pmq),     pmq_cli::add_unlink_command(pmq),
        pmq_cli::add_limits_command(pmq),
    };

    if (argc > 1 && !names_a_command(argv[1], commands) && pmq.get_option_no_throw(argv[1]) == nullptr) {
        std::cerr << "pmq: unknown " << (argv[1][0] == '-' ? "option" : "command") << " '" << argv[1]
                  << "'\n\n" << pmq.help();
        return static_cast<int>(ExitStatus::usage);
    }
    try {
        pmq.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        // --help and --version print to stdout and succeed; every other parse
        // error is a usage error, whatever code CLI11 gives it.
        const int code = pmq.exit(e, std::cout, std::cerr);
        return code == 0 ? 0 : static_cast<int>(ExitStatus::usage);
    }

    for (const Command &command : commands) {
        if (!command.parser->parsed())
            continue;
        ExitStatus status = command.run();
        // Output that never arrived is a failure, not a success.
        if (!std::cout.flush() && status != ExitStatus::failure)
            status = pmq_cli::report_failure("cannot write to standard output");
        return static_cast<int>(status);
    }
    return static_cast<int>(ExitStatus::usage); // unreachable: require_subcommand(1)
}

// A standard descriptor the caller closed (`pmq recv /jobs >&-`) would be
// the next one open() returns: the queue's descriptor would become "standard
// output".  Hold each closed one with /dev/null opened the other way round, so
// that using it still fails (EBADF) as it would have.
void hold_closed_standard_descriptors()
{
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        const int held = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (held >= 0 && held != fd) {
            ::dup2(held, fd);
            ::close(held);
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    hold_closed_standard_descriptors();
    // A reader that goes away is an error to report (EPIPE), not a silent
    // death: `pmq recv` must be able to put back the message it could not write.
    std::signal(SIGPIPE, SIG_IGN);
    // Every failure is one line and exit 1; no exception ends the tool with
    // an abort (CLI11 and nlohmann-json throw; allocation can fail).
    try {
        return run_pmq(argc, argv);
    } catch (const std::exception &e) {
        return static_cast<int>(pmq_cli::report_failure(std::string("unexpected failure: ") + e.what()));
    } catch (...) {
        return static_cast<int>(pmq_cli::report_failure("unexpected failure"));
    }
}
