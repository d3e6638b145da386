// Knowing, without a clock, that a thread is blocked in a system call: the
// kernel shows each thread's current system call in
// /proc/self/task/<tid>/syscall ("running" while it is not in one).
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>

namespace pmq_test {

inline pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// The number of the system call thread `tid` is in, or -1.
inline long current_syscall(pid_t tid)
{
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/syscall");
    long number = -1;
    if (!(in >> number))
        return -1;
    return number;
}

// Spins (yielding) until thread `tid` sits in system call `number`, e.g.
// SYS_ppoll, which is where libpmq waits since 1.1.  Gives up after about
// 200 000 looks (seconds), returning false, so a broken test fails instead of hanging.
inline bool wait_until_in_syscall(pid_t tid, long number)
{
    for (long i = 0; i < 200000; ++i) {
        if (current_syscall(tid) == number)
            return true;
        std::this_thread::yield();
    }
    return false;
}

} // namespace pmq_test
