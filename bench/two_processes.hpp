// Cross-process measurements: a forked child on the other end of the queues.
// Both ends use the same style; each end opens its queues after the fork.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <vector>

#include "failure.hpp"
#include "placement.hpp"
#include "statistics.hpp"

namespace bench {

inline constexpr std::size_t largest_message = 8192;
inline constexpr long warm_up_messages = 16;

// Runs `body` in a child process that ends with it, or with this process:
// a child blocked on a queue must not outlive an interrupted run.
template <class Body>
pid_t spawn(Body body)
{
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)
            ::_exit(1);
        body();
        ::_exit(0);
    }
    return pid;
}

inline void wait_for(pid_t pid, const char *what)
{
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die(what, "the child process failed (see above)");
}

// Round trips: send `size` bytes on `there`, the child echoes them on `back`.
// Appends each trip's nanoseconds to `samples`.
template <class S>
void round_trips(const char *there, const char *back, std::size_t size, long trips,
                 std::vector<double> &samples)
{
    const pid_t echo = spawn([&] {
        S in(there);
        S out(back);
        std::vector<char> buffer(largest_message);
        for (long i = 0; i < warm_up_messages + trips; ++i)
            out.send(buffer.data(), in.receive(buffer.data(), buffer.size()));
    });
    S out(there);
    S in(back);
    std::vector<char> message(size, 'p');
    std::vector<char> buffer(largest_message);
    for (long i = 0; i < warm_up_messages; ++i) {
        out.send(message.data(), size);
        in.receive(buffer.data(), buffer.size());
    }
    for (long i = 0; i < trips; ++i) {
        const auto start = Clock::now();
        out.send(message.data(), size);
        in.receive(buffer.data(), buffer.size());
        samples.push_back(nanoseconds_since(start));
    }
    wait_for(echo, "round trips");
}

// One-way stream: the child sends `messages` messages of `size` bytes as
// fast as it can from `sender_cpu` (-1: where it starts), this process
// receives them.  Returns messages per second.
template <class S>
double messages_per_second(const char *name, std::size_t size, long messages, int sender_cpu)
{
    int go[2];
    if (::pipe(go) != 0)
        die_errno("pipe");
    const pid_t sender = spawn([&] {
        if (!move_to_cpu(sender_cpu))
            die_errno("sched_setaffinity (the stream's sender)");
        S out(name);
        std::vector<char> message(size, 's');
        char start = 0;
        if (::read(go[0], &start, 1) != 1)
            die_errno("read (start signal)");
        for (long i = 0; i < messages; ++i)
            out.send(message.data(), size);
    });
    S in(name);
    std::vector<char> buffer(largest_message);
    const auto start = Clock::now();
    if (::write(go[1], "g", 1) != 1)
        die_errno("write (start signal)");
    for (long i = 0; i < messages; ++i)
        in.receive(buffer.data(), buffer.size());
    const double seconds = nanoseconds_since(start) / 1e9;
    wait_for(sender, "stream");
    ::close(go[0]);
    ::close(go[1]);
    return static_cast<double>(messages) / seconds;
}

} // namespace bench
