#include "failure.hpp"

#include <pmq/pmq.h>

#include <mqueue.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace bench {

namespace {

// Plain arrays, not containers: a signal handler reads them.
constexpr int max_tracked = 8;
constexpr std::size_t name_bytes = 64;
char tracked[max_tracked][name_bytes];
pid_t owner = 0; // the process that created the queues; children leave them alone

void unlink_tracked()
{
    if (::getpid() != owner)
        return;
    for (auto &name : tracked)
        if (name[0] != '\0')
            ::mq_unlink(name);
}

void on_signal(int signo)
{
    unlink_tracked();
    ::signal(signo, SIG_DFL);
    ::raise(signo);
}

} // namespace

void track_queue(const char *name)
{
    owner = ::getpid();
    for (auto &slot : tracked)
        if (slot[0] == '\0') {
            std::snprintf(slot, name_bytes, "%s", name);
            return;
        }
    die("track_queue", "more queues at once than pmq-bench expects");
}

void untrack_queue(const char *name)
{
    for (auto &slot : tracked)
        if (std::strcmp(slot, name) == 0)
            slot[0] = '\0';
}

void unlink_queues_on_signals()
{
    for (const int signo : {SIGINT, SIGTERM, SIGHUP})
        ::signal(signo, on_signal);
}

void die(const char *what, const char *reason)
{
    std::fprintf(stderr, "pmq-bench: %s: %s\n", what, reason);
    if (::getpid() != owner) // a child: the parent cleans up
        ::_exit(1);
    unlink_tracked();
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
