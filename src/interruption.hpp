// pmq_interrupt / pmq_resume: waking, and then refusing, the calls that wait
// on one handle.
//
// A call that must wait polls the queue's descriptor together with an
// eventfd that pmq_interrupt writes.  Each eventfd serves one round of
// waiters: the interrupt that writes it also retires it, so it stays readable
// for every call that was waiting on it (even when pmq_resume follows at
// once), and the last of those calls closes it.  The next call to wait starts
// a new round.  Only calls that must wait come here: the hot path (a ready
// queue) never touches this, so it stays lock-free and allocation-free.
#pragma once

#include <atomic>
#include <mutex>

namespace pmq::detail {

struct WakeRound;

class Interruption {
public:
    Interruption() = default;
    Interruption(const Interruption &) = delete;
    Interruption &operator=(const Interruption &) = delete;
    ~Interruption();

    // Wakes every waiting call (they return PMQ_ECANCELED) and makes later
    // calls that would wait return it at once, until resume().  Any thread;
    // not from a signal handler (it takes a lock).
    void interrupt();
    void resume();

    // One waiting call's part in a round, held while it waits (released by
    // the destructor, also when a pthread_cancel unwinds the call).
    class Waiter {
    public:
        Waiter() = default;
        Waiter(const Waiter &) = delete;
        Waiter &operator=(const Waiter &) = delete;
        ~Waiter();

        // The eventfd to poll for POLLIN (readable = interrupted); -1 when
        // none could be made (descriptors exhausted): then poll in slices of
        // slice_ms and ask fired().
        int wake_fd() const;
        bool fired() const;
        static constexpr int slice_ms = 5;

    private:
        friend class Interruption;
        Interruption *owner_ = nullptr;
        WakeRound *round_ = nullptr;
    };

    // Joins the current round; false (joining nothing) while interrupted.
    // May throw std::bad_alloc.
    bool begin_wait(Waiter &w);

private:
    void leave(WakeRound *round);

    std::mutex lock_;
    bool interrupted_ = false;
    WakeRound *current_ = nullptr; // the round new waiters join; nullptr until one waits
};

} // namespace pmq::detail
