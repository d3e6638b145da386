#include "signal_restart.hpp"

#include <pthread.h>
#include <signal.h>

namespace pmq::detail {

namespace {

// Raised by the faulting instruction itself, so never the signal that woke a
// thread blocked in ppoll; crash handlers (and sanitizers) install them
// without SA_RESTART, which must not turn every endless wait into PMQ_EINTR.
bool synchronous_fault(int signo)
{
    return signo == SIGSEGV || signo == SIGBUS || signo == SIGFPE || signo == SIGILL ||
           signo == SIGTRAP || signo == SIGSYS;
}

} // namespace

bool handlers_ask_for_restart()
{
    sigset_t blocked;
    if (::pthread_sigmask(SIG_BLOCK, nullptr, &blocked) != 0)
        return false;
    for (int signo = 1; signo < NSIG; ++signo) {
        if (sigismember(&blocked, signo) == 1 || synchronous_fault(signo))
            continue;
        struct sigaction action {};
        // glibc refuses to show its own signals (cancellation, setxid): skipped.
        if (::sigaction(signo, nullptr, &action) != 0)
            continue;
        // sa_handler and sa_sigaction share storage: this reads either.
        const bool caught = action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
        if (caught && (action.sa_flags & SA_RESTART) == 0)
            return false; // this one might have run: the caller hears PMQ_EINTR
    }
    return true;
}

} // namespace pmq::detail
