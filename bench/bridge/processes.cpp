#include "processes.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace bridge_bench {

namespace {

// Plain arrays: the signal handler reads them.
constexpr int max_children = 16;
pid_t children[max_children];
int child_count = 0;
char scratch[256];
pid_t scratch_owner = 0;

void remember(pid_t pid)
{
    if (child_count < max_children)
        children[child_count++] = pid;
}

void forget(pid_t pid)
{
    for (int i = 0; i < child_count; ++i)
        if (children[i] == pid)
            children[i] = 0;
}

// In the child: die with the parent, and start from the default signal dispositions.
void become_child(pid_t parent)
{
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) // the parent died before prctl took effect
        ::_exit(1);
    for (const int signo : {SIGINT, SIGTERM, SIGHUP})
        ::signal(signo, SIG_DFL);
    child_count = 0; // the parent's children are not ours to stop
    scratch_owner = 0;
}

void sleep_ms(int ms)
{
    const timespec pause{ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&pause, nullptr);
}

// Async-signal-safe: kill, waitpid, nanosleep, fork and execve only.
void stop_and_remove()
{
    for (int i = 0; i < child_count; ++i)
        if (children[i] > 0)
            ::kill(children[i], SIGTERM);
    for (int i = 0; i < child_count; ++i) {
        if (children[i] <= 0)
            continue;
        int waited = 0;
        while (::waitpid(children[i], nullptr, WNOHANG) == 0 && waited < 10000) {
            sleep_ms(20);
            waited += 20;
        }
        if (waited >= 10000) {
            ::kill(children[i], SIGKILL);
            ::waitpid(children[i], nullptr, 0);
        }
        children[i] = 0;
    }
    if (scratch_owner == ::getpid() && scratch[0] != '\0') {
        const pid_t rm = ::fork();
        if (rm == 0) {
            char *const argv[] = {const_cast<char *>("rm"), const_cast<char *>("-rf"),
                                  const_cast<char *>("--"), scratch, nullptr};
            ::execv("/bin/rm", argv);
            ::_exit(127);
        }
        if (rm > 0)
            ::waitpid(rm, nullptr, 0);
        scratch[0] = '\0';
    }
}

void on_signal(int signo)
{
    stop_and_remove();
    ::signal(signo, SIG_DFL);
    ::raise(signo);
}

} // namespace

void die(const std::string &what, const std::string &reason)
{
    std::fprintf(stderr, "pmq-bench-bridge: %s: %s\n", what.c_str(), reason.c_str());
    std::fflush(stderr);
    stop_and_remove();
    std::_Exit(1);
}

std::string make_scratch_directory()
{
    const char *tmp = std::getenv("TMPDIR");
    std::snprintf(scratch, sizeof scratch, "%s/pmq-bench-bridge.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (::mkdtemp(scratch) == nullptr) {
        const std::string tried = scratch;
        scratch[0] = '\0';
        die("mkdtemp " + tried, std::strerror(errno));
    }
    scratch_owner = ::getpid();
    return scratch;
}

pid_t fork_child()
{
    const pid_t parent = ::getpid();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0)
        die("fork", std::strerror(errno));
    if (pid == 0)
        become_child(parent);
    else
        remember(pid);
    return pid;
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &log_path)
{
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0)
        die("open " + log_path, std::strerror(errno));
    std::vector<char *> args;
    for (const std::string &arg : argv)
        args.push_back(const_cast<char *>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork_child();
    if (pid == 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "pmq-bench-bridge: cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(log);
    return pid;
}

int stop(pid_t pid, int grace_ms)
{
    int status = 0;
    ::kill(pid, SIGTERM);
    for (int waited = 0; waited < grace_ms; waited += 10) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            forget(pid);
            return status;
        }
        sleep_ms(10);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    forget(pid);
    return status;
}

bool running(pid_t pid)
{
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0)
        return true;
    forget(pid);
    return false;
}

void stop_everything()
{
    stop_and_remove();
}

void stop_everything_on_signals()
{
    for (const int signo : {SIGINT, SIGTERM, SIGHUP})
        ::signal(signo, on_signal);
}

} // namespace bridge_bench
