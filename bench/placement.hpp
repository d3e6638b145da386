// Where pmq-bench runs its processes.  On a VM, where the scheduler puts the
// two ends of a cross-process measurement changes the figures more than
// anything libpmq does, so the run chooses instead:
//
//  - Same-thread pairs and round trips run on one CPU.  A round trip is
//    serial (each side waits for the other), and waking a process on another
//    CPU of a VM costs several times the whole round trip on one.
//  - A stream's sender and receiver run on two CPUs, as a pipeline does: both
//    work at once and rarely sleep.  On one CPU, a stream measures the
//    scheduler instead: whether the woken receiver preempts the sender after
//    every message or only once the queue is full flips with a few dozen
//    nanoseconds of work per call, and the context switches per message (and
//    so the rate) with it, for raw calls as for libpmq's.
#pragma once

#include <sched.h>

namespace bench {

struct Placement {
    int home = -1;                // this process and its children; -1: not pinned
    int sender = -1;              // a stream's sending child; -1: stays where it is
    bool one_cpu_allowed = false; // the affinity mask left no second CPU for streams
};

// Pins this process to the CPU it runs on and picks another allowed CPU for
// the streams' sender (unless `streams_on_one_cpu`, or there is no other).
// `pin` false leaves every placement to the scheduler.
inline Placement place_processes(bool pin, bool streams_on_one_cpu)
{
    Placement placement;
    cpu_set_t allowed;
    const int cpu = ::sched_getcpu();
    if (!pin || cpu < 0 || ::sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return placement;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (::sched_setaffinity(0, sizeof one, &one) != 0)
        return placement;
    placement.home = placement.sender = cpu;
    placement.one_cpu_allowed = CPU_COUNT(&allowed) < 2;
    if (streams_on_one_cpu)
        return placement;
    for (int other = 0; other < CPU_SETSIZE; ++other)
        if (other != cpu && CPU_ISSET(other, &allowed)) {
            placement.sender = other;
            break;
        }
    return placement;
}

// Moves the calling process to `cpu` (a child inherits its parent's CPU);
// -1 leaves it where it is.  Returns false when the kernel refused.
inline bool move_to_cpu(int cpu)
{
    if (cpu < 0)
        return true;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

} // namespace bench
