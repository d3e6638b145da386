#include "log.hpp"

#include <cstdio>
#include <mutex>

namespace pmq_bridge {
namespace {
std::mutex log_mutex; // cnats callbacks log from their own threads
std::string log_prefix = "pmq-bridge";
bool verbose_on = false;
} // namespace

void set_log_prefix(const std::string &prefix)
{
    log_prefix = prefix;
}

void set_verbose(bool on)
{
    verbose_on = on;
}

bool verbose()
{
    return verbose_on;
}

void log_line(const std::string &text)
{
    std::lock_guard<std::mutex> lock(log_mutex);
    // One write per line so lines from several threads never interleave.
    std::string line = log_prefix + ": " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

void log_verbose(const std::string &text)
{
    if (verbose_on)
        log_line(text);
}

} // namespace pmq_bridge
