// Helpers shared by the GoogleTest suites: unique queue names, and a guard
// that unlinks the queue when a test ends, however it ends.
#pragma once

#include <pmq/pmq.h>

#include <unistd.h>

#include <atomic>
#include <random>
#include <string>

namespace pmq_test {

// "/pmqtest-<tag>-<pid>-<n>-<random>": unique across processes and runs.
inline std::string unique_queue_name(const std::string &tag = "q")
{
    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    return "/pmqtest-" + tag + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++) + "-" + std::to_string(salt % 100000);
}

// Unlinks `name` on destruction (ignoring "not found").
class UnlinkGuard {
public:
    explicit UnlinkGuard(std::string name) : name_(std::move(name)) {}
    UnlinkGuard(const UnlinkGuard &) = delete;
    UnlinkGuard &operator=(const UnlinkGuard &) = delete;
    ~UnlinkGuard() { pmq_unlink(name_.c_str()); }
    const std::string &name() const { return name_; }
    const char *c_str() const { return name_.c_str(); }

private:
    std::string name_;
};

} // namespace pmq_test
