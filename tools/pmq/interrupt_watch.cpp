#include "interrupt_watch.hpp"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <csignal>

namespace pmq_cli {

namespace {

volatile std::sig_atomic_t interrupt_received = 0;

extern "C" void note_interrupt(int)
{
    interrupt_received = 1;
}

} // namespace

InterruptWatch::InterruptWatch()
{
    struct sigaction action {};
    action.sa_handler = note_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);

    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &previous_mask_);
}

InterruptWatch::~InterruptWatch()
{
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
}

InterruptWatch::Wait InterruptWatch::wait_readable(int fd, int timeout_ms) const
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    // The mask ppoll waits with: the one we started with, minus our two signals.
    sigset_t waiting_mask = previous_mask_;
    sigdelset(&waiting_mask, SIGINT);
    sigdelset(&waiting_mask, SIGTERM);

    for (;;) {
        if (interrupt_received)
            return Wait::interrupted;
        struct timespec remaining {};
        struct timespec *limit = nullptr;
        if (timeout_ms >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
            if (left.count() > 0) {
                remaining.tv_sec = static_cast<time_t>(left.count() / 1000000000);
                remaining.tv_nsec = static_cast<long>(left.count() % 1000000000);
            }
            limit = &remaining;
        }
        struct pollfd watched {fd, POLLIN, 0};
        const int ready = ppoll(&watched, 1, limit, &waiting_mask);
        if (ready > 0)
            return Wait::readable;
        if (ready == 0)
            return Wait::timed_out;
        if (errno != EINTR)
            return Wait::readable; // let the receive itself report the problem
    }
}

} // namespace pmq_cli
