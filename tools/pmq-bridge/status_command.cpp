#include "status_command.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sys/file.h>
#include <unistd.h>

namespace pmq_bridge {
namespace {

// A bridge holds DIR/<role>.lock while it runs; if we can take it, none does.
bool running(const std::string &dir, const std::string &role)
{
    const int fd = ::open((dir + "/" + role + ".lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd);
    return !free;
}

void print_text(const nlohmann::json &doc)
{
    std::cout << doc.value("role", "?") << " " << doc.value("queue", "?") << " <-> " << doc.value("subject", "?")
              << " (stream " << doc.value("stream", "?");
    if (doc.contains("durable"))
        std::cout << ", durable " << doc.value("durable", "");
    std::cout << ")\n";
    std::cout << "  running:            " << (doc.value("running", false) ? "yes (pid " + std::to_string(doc.value("pid", 0)) + ")" : "no") << "\n";
    std::cout << "  state:              " << doc.value("state", "") << "\n";
    std::cout << "  server:             " << doc.value("server", "") << "\n";
    for (const char *key : {"forwarded", "duplicates_dropped", "redelivered", "retries", "reconnects", "spool_held", "spool_slots", "refused",
                            "lengths_recovered", "uncertain_resends"}) {
        if (doc.contains(key))
            std::cout << "  " << key << ":" << std::string(20 - std::string(key).size() - 1, ' ') << doc[key].get<uint64_t>() << "\n";
    }
    const std::string error = doc.value("last_error", "");
    std::cout << "  last_error:         " << (error.empty() ? "none" : error + " (" + doc.value("last_error_at", "") + ")") << "\n";
    std::cout << "  updated_at:         " << doc.value("updated_at", "") << "\n";
}

} // namespace

ExitStatus run_status(const std::string &state_dir, bool json)
{
    nlohmann::json all = nlohmann::json::array();
    for (const std::string role : {"export", "import"}) {
        std::ifstream in(state_dir + "/" + role + ".status.json");
        if (!in)
            continue;
        nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
        if (doc.is_discarded())
            continue;
        doc["running"] = running(state_dir, role);
        all.push_back(doc);
    }
    if (all.empty()) {
        std::cerr << "pmq-bridge: no bridge has run with the state directory " << state_dir
                  << " (no export.status.json or import.status.json there)\n";
        return ExitStatus::failure;
    }
    if (json) {
        std::cout << all.dump(2) << "\n";
    } else {
        for (const auto &doc : all)
            print_text(doc);
    }
    return ExitStatus::success;
}

} // namespace pmq_bridge
