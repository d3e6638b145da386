// Runs a check in a forked child and reports its verdict to the parent, for
// tests that change process-wide state (user id, rlimits, IPC namespace).
#pragma once

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

namespace pmq_test {

// Runs `body` in a child process.  body returns "" for success or a
// description of what failed.  Returns the child's verdict ("" on success).
inline std::string run_in_child(const std::function<std::string()> &body)
{
    int pipefd[2];
    if (::pipe(pipefd) != 0)
        return "pipe() failed";
    const pid_t pid = ::fork();
    if (pid < 0)
        return "fork() failed";
    if (pid == 0) {
        ::close(pipefd[0]);
        std::string verdict;
        try {
            verdict = body();
        } catch (...) {
            verdict = "the child threw an exception";
        }
        if (!verdict.empty())
            (void)!::write(pipefd[1], verdict.data(), verdict.size());
        ::_exit(verdict.empty() ? 0 : 1);
    }
    ::close(pipefd[1]);
    std::string verdict;
    char buf[512];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0)
        verdict.append(buf, static_cast<std::size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status))
        return "the child died with signal " + std::to_string(WTERMSIG(status));
    if (WEXITSTATUS(status) != 0 && verdict.empty())
        return "the child exited with status " + std::to_string(WEXITSTATUS(status));
    return verdict;
}

// In the child: enter a private IPC namespace, where /proc/sys/fs/mqueue can be
// changed without touching the host and every queue vanishes with the child.
inline std::string enter_private_ipc_namespace()
{
    if (::unshare(CLONE_NEWIPC) != 0)
        return std::string("unshare(CLONE_NEWIPC) failed: ") + std::strerror(errno);
    return "";
}

// True if this process may create a private IPC namespace: root may, an
// unprivileged build (a Debian build daemon's, say) may not.
inline bool can_enter_private_ipc_namespace()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(::unshare(CLONE_NEWIPC) == 0 ? 0 : 1);
    int status = 0;
    return pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

inline bool write_proc(const char *path, long value)
{
    FILE *f = std::fopen(path, "w");
    if (f == nullptr)
        return false;
    const bool ok = std::fprintf(f, "%ld\n", value) > 0;
    return std::fclose(f) == 0 && ok;
}

} // namespace pmq_test
