#include "interrupt_watch.hpp"

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

MessageWait InterruptWatch::wait(int queue_fd, int output_fd, const Deadline &deadline) const
{
    // The mask ppoll waits with: the one we started with, minus our two signals.
    sigset_t waiting_mask = previous_mask_;
    sigdelset(&waiting_mask, SIGINT);
    sigdelset(&waiting_mask, SIGTERM);
    for (;;) {
        if (interrupt_received)
            return MessageWait::interrupted;
        const MessageWait result = wait_for_message(queue_fd, output_fd, deadline, &waiting_mask);
        if (result != MessageWait::interrupted)
            return result;
    }
}

} // namespace pmq_cli
