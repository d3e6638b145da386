// Forked helper processes for the reliability tests: each runs a function and
// exits with its result; any still running when the group ends (a failed
// assertion, say) are killed, so no test leaves a process behind.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace pmq_test {

class ChildProcesses {
public:
    ChildProcesses() = default;
    ChildProcesses(const ChildProcesses &) = delete;
    ChildProcesses &operator=(const ChildProcesses &) = delete;
    ~ChildProcesses()
    {
        for (const pid_t pid : pids_) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }

    // Runs body() (returning an exit status) in a child; returns its pid, or -1.
    template <class Body>
    pid_t spawn(Body &&body)
    {
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid == 0) {
            // Dies with the test, even if the test is killed.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                std::_Exit(120);
            std::_Exit(std::forward<Body>(body)());
        }
        if (pid > 0)
            pids_.push_back(pid);
        return pid;
    }

    // Waits for one child and returns its wait status.
    int wait(pid_t pid)
    {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
        return status;
    }

private:
    std::vector<pid_t> pids_;
};

// "exited with 0", "exited with 3", "killed by signal 9", for assertion messages.
inline std::string describe_wait_status(int status)
{
    char text[48];
    if (WIFEXITED(status))
        std::snprintf(text, sizeof text, "exited with %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(text, sizeof text, "killed by signal %d", WTERMSIG(status));
    else
        std::snprintf(text, sizeof text, "wait status 0x%x", static_cast<unsigned>(status));
    return text;
}

} // namespace pmq_test
