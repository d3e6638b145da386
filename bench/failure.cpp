#include "failure.hpp"

#include <pmq/pmq.h>

#include <mqueue.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace bench {

namespace {

std::vector<std::string> &tracked()
{
    static std::vector<std::string> names;
    return names;
}

pid_t owner()
{
    static const pid_t pid = ::getpid();
    return pid;
}

} // namespace

void track_queue(const char *name)
{
    owner();
    tracked().emplace_back(name);
}

void untrack_queue(const char *name)
{
    auto &names = tracked();
    std::erase(names, std::string(name));
}

void die(const char *what, const char *reason)
{
    std::fprintf(stderr, "pmq-bench: %s: %s\n", what, reason);
    if (::getpid() != owner()) // a child: the parent cleans up
        ::_exit(1);
    for (const auto &name : tracked())
        ::mq_unlink(name.c_str());
    std::exit(1);
}

void die_errno(const char *what)
{
    die(what, std::strerror(errno));
}

void die_pmq(const char *what)
{
    die(what, pmq_last_error());
}

} // namespace bench
