// pmq-bridge: carries a POSIX message queue between hosts over NATS JetStream.
//   pmq-bridge export QUEUE --server URL[,URL...] --subject SUBJECT [--stream NAME] [--replicas N] [--state-dir DIR]
//   pmq-bridge import QUEUE --server URL[,URL...] --subject SUBJECT --durable NAME [--stream NAME] [--state-dir DIR]
//   pmq-bridge status --state-dir DIR [--json]
#include "argument_checks.hpp" // the pmq tool's rule for numbers
#include "bridge_options.hpp"
#include "exit_status.hpp"
#include "export_bridge.hpp"
#include "import_bridge.hpp"
#include "local_queue.hpp"
#include "log.hpp"
#include "secrets.hpp"
#include "state_dir.hpp"
#include "status_command.hpp"
#include "stop_signal.hpp"
#include "stream_setup.hpp"

#include <pmq/pmq.h>

#include <CLI/CLI.hpp>
#include <nats/nats.h>

#include <cstdint>
#include <iostream>
#include <malloc.h>
#include <map>
#include <string>

using namespace pmq_bridge;

namespace {

std::string version_text()
{
    return std::string("pmq-bridge ") + PMQ_VERSION_STRING + " (libpmq " + pmq_version_string() + ", cnats " +
           nats_GetVersion() + ")";
}

std::string usage_error(const CLI::App *app, const CLI::Error &e)
{
    return "pmq-bridge: " + std::string(e.what()) + "\n\n" + app->help();
}

pmq_cli::NumberRange stream_limit_range()
{
    return {1, static_cast<uint64_t>(INT64_MAX), ""};
}

// Seconds, as a duration option takes them after its unit is applied.
pmq_cli::NumberRange duration_range(uint64_t min)
{
    return {min, 10ULL * 365 * 86400, "seconds, or with a unit: 90s, 10m, 1h, 7d; at most 10 years"};
}

// "" if URL looks like something the client can dial, else why not.
std::string url_problem(const std::string &url)
{
    std::string rest = url;
    const size_t scheme = url.find("://");
    if (scheme != std::string::npos) {
        const std::string name = url.substr(0, scheme);
        if (name != "nats" && name != "tls" && name != "ws" && name != "wss")
            return "--server '" + redact_url(url) + "': unknown scheme '" + name + "' (use nats://host:port or tls://host:port)";
        rest = url.substr(scheme + 3);
    }
    rest = rest.substr(rest.find('@') == std::string::npos ? 0 : rest.find('@') + 1);
    if (rest.empty() || rest.front() == ':')
        return "--server '" + redact_url(url) + "' names no host";
    const size_t colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find(']') == std::string::npos) {
        const std::string port = rest.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
            std::stoi(port) == 0 || std::stoi(port) > 65535)
            return "--server '" + redact_url(url) + "': the port '" + port + "' is not a number from 1 to 65535";
    }
    return "";
}

void add_common(CLI::App *command, BridgeOptions &options, bool &verbose)
{
    command->add_option("QUEUE", options.queue, "Local queue, e.g. /jobs (the '/' may be omitted)")->required();
    command->add_option("--server", options.connection.servers, "NATS server URL(s), comma-separated")
        ->required()
        ->delimiter(',');
    command->add_option("--subject", options.subject, "The JetStream subject the messages travel on")->required();
    command->add_option("--stream", options.stream, "Stream name (default: the subject with '.' and other invalid characters as '_')");
    command->add_option("--state-dir", options.state_dir,
                        "Where the bridge keeps what must survive a crash (default: $STATE_DIRECTORY, else /var/lib/pmq-bridge/QUEUE)");
    command->add_flag("--create", options.create, "Create QUEUE if it does not exist");
    command->add_option("--max-messages", options.max_messages, "With --create: how many messages QUEUE holds")
        ->check(pmq_cli::whole_number_in(pmq_cli::max_messages_range));
    command->add_option("--message-size", options.message_size, "With --create: QUEUE's largest message in bytes")
        ->check(pmq_cli::whole_number_in(pmq_cli::message_size_range));
    command->add_option("--creds", options.connection.creds_file, "NATS credentials file (JWT and seed)")->check(CLI::ExistingFile);
    command->add_option("--user", options.connection.user, "User name (with --password-file)");
    command->add_option("--password-file", options.connection.password, "File whose first line is the password")
        ->check(CLI::ExistingFile);
    command->add_option("--tls-ca", options.connection.tls_ca, "CA certificates to verify the servers with")->check(CLI::ExistingFile);
    command->add_option("--tls-cert", options.connection.tls_cert, "Client certificate (with --tls-key)")->check(CLI::ExistingFile);
    command->add_option("--tls-key", options.connection.tls_key, "Client private key (with --tls-cert)")->check(CLI::ExistingFile);
    command->add_flag("--verbose", verbose, "Log more than state changes");
}

// Checks what CLI11 cannot; throws Fatal{usage} with an explanation.
void check_options(CLI::App *command, BridgeOptions &options, bool is_export)
{
    options.queue = queue_name(options.queue);
    for (const std::string &url : options.connection.servers) {
        if (const std::string problem = url_problem(url); !problem.empty())
            throw Fatal{ExitStatus::usage, problem};
    }
    if (const std::string problem = subject_problem(options.subject); !problem.empty())
        throw Fatal{ExitStatus::usage, problem};
    if (options.stream.empty())
        options.stream = default_stream_name(options.subject);
    else if (const std::string problem = name_problem(options.stream, "--stream"); !problem.empty())
        throw Fatal{ExitStatus::usage, problem};
    if (!is_export) {
        if (const std::string problem = name_problem(options.durable, "--durable"); !problem.empty())
            throw Fatal{ExitStatus::usage, problem};
    }
    if (is_export && options.max_age_s > 0 && options.duplicate_window_s > options.max_age_s)
        throw Fatal{ExitStatus::usage, "--duplicate-window (" + std::to_string(options.duplicate_window_s) +
                                           " s) cannot be longer than --max-age (" + std::to_string(options.max_age_s) + " s)"};
    if (!options.create && (command->count("--max-messages") || command->count("--message-size")))
        throw Fatal{ExitStatus::usage, "--max-messages and --message-size only apply with --create"};
    if (command->count("--user") != command->count("--password-file"))
        throw Fatal{ExitStatus::usage, "--user and --password-file go together"};
    if (command->count("--tls-cert") != command->count("--tls-key"))
        throw Fatal{ExitStatus::usage, "--tls-cert and --tls-key go together"};
    if (!options.connection.creds_file.empty() && !options.connection.user.empty())
        throw Fatal{ExitStatus::usage, "give either --creds or --user/--password-file, not both"};
    if (!options.connection.password.empty())
        options.connection.password = read_password_file(options.connection.password);
    if (!options.connection.creds_file.empty())
        check_creds_file(options.connection.creds_file);
    options.state_dir = resolve_state_dir(options.state_dir, options.queue);
    options.connection.client_name = std::string("pmq-bridge ") + (is_export ? "export " : "import ") + options.queue;
}

} // namespace

int main(int argc, char **argv)
{
    // First of all: a SIGTERM that comes while the bridge is still starting
    // (a supervisor restarting it at once, say) is a clean stop, not a kill.
    install_stop_handlers();
    // The C client's threads allocate and free a message's buffers on every
    // publish and delivery; glibc then gives the top of their arenas back to
    // the kernel (an madvise every few messages, and page faults to take it
    // again). A bridge's working set is steady: keep it.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    CLI::App app{"pmq-bridge: carry a POSIX message queue between hosts over NATS JetStream", "pmq-bridge"};
    app.set_version_flag("--version", version_text, "Print the versions and exit");
    app.require_subcommand(1);
    app.failure_message(usage_error);

    BridgeOptions export_options, import_options;
    bool export_verbose = false, import_verbose = false;
    CLI::App *export_command = app.add_subcommand("export", "Forward messages from a local queue to a JetStream subject");
    add_common(export_command, export_options, export_verbose);
    export_command->add_option("--replicas", export_options.replicas, "Replicas of a stream this bridge creates (default 1)")
        ->check(pmq_cli::whole_number_in([] { return pmq_cli::NumberRange{1, 5, "JetStream's limit"}; }));
    export_command->add_option("--retention", export_options.retention,
                               "Retention of a stream this bridge creates: limits (default) or workqueue")
        ->check(CLI::IsMember({"limits", "workqueue"}));
    export_command->add_option("--stream-max-messages", export_options.stream_max_messages,
                               "Messages a stream this bridge creates holds before refusing more (default: no limit)")
        ->check(pmq_cli::whole_number_in(stream_limit_range));
    // Durations: a number of seconds, or with a unit (90s, 10m, 1h, 7d).
    const CLI::AsNumberWithUnit duration(std::map<std::string, int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
                                         CLI::AsNumberWithUnit::CASE_SENSITIVE, "DURATION");
    export_command->add_option("--max-age", export_options.max_age_s,
                               "How long a stream this bridge creates keeps a message, delivered or not (default 24h; 0: forever)")
        ->transform(duration)
        ->check(pmq_cli::whole_number_in([] { return duration_range(0); }));
    export_command->add_option("--duplicate-window", export_options.duplicate_window_s,
                               "How long a stream this bridge creates remembers message ids, to drop a republished copy (default 1h)")
        ->transform(duration)
        ->check(pmq_cli::whole_number_in([] { return duration_range(1); }));
    export_command->add_option("--stream-max-bytes", export_options.stream_max_bytes,
                               "Bytes a stream this bridge creates holds before refusing more (default: no limit)")
        ->check(pmq_cli::whole_number_in(stream_limit_range));

    CLI::App *import_command = app.add_subcommand("import", "Forward messages from a JetStream subject into a local queue");
    add_common(import_command, import_options, import_verbose);
    import_command->add_option("--durable", import_options.durable, "Name of the durable consumer that remembers the position")
        ->required();

    std::string status_dir;
    bool status_json = false;
    CLI::App *status_command = app.add_subcommand("status", "Show the counters and state of the bridges using a state directory");
    status_command->add_option("--state-dir", status_dir, "The bridge's state directory")->required();
    status_command->add_flag("--json", status_json, "Print JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        const int code = app.exit(e, std::cout, std::cerr);
        return code == 0 ? 0 : static_cast<int>(ExitStatus::usage);
    }

    ExitStatus status = ExitStatus::success;
    try {
        if (status_command->parsed())
            return static_cast<int>(run_status(status_dir, status_json));
        const bool is_export = export_command->parsed();
        BridgeOptions &options = is_export ? export_options : import_options;
        CLI::App *command = is_export ? export_command : import_command;
        set_log_prefix(std::string("pmq-bridge ") + (is_export ? "export " : "import ") + queue_name(options.queue));
        set_verbose(is_export ? export_verbose : import_verbose);
        check_options(command, options, is_export);
        prepare_state_dir(options.state_dir);
        status = is_export ? run_export(options) : run_import(options);
    } catch (const Fatal &fatal) {
        log_line(fatal.explanation);
        status = fatal.status;
    }
    nats_Close();
    return static_cast<int>(status);
}
