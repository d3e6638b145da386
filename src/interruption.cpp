#include "interruption.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace pmq::detail {

struct WakeRound {
    int fd = -1;                    // eventfd, or -1 if none could be made
    std::atomic<bool> fired{false}; // set by the interrupt that retired it
    int waiters = 0;                // guarded by Interruption::lock_
};

namespace {

void close_round(WakeRound *round)
{
    if (round->fd >= 0)
        ::close(round->fd);
    delete round;
}

} // namespace

Interruption::~Interruption()
{
    // Closing a handle another thread still waits on is the caller's bug, so
    // the current round has no waiters left.
    if (current_ != nullptr)
        close_round(current_);
}

void Interruption::interrupt()
{
    std::lock_guard<std::mutex> hold(lock_);
    interrupted_ = true;
    WakeRound *round = current_;
    if (round == nullptr)
        return;
    current_ = nullptr;
    round->fired.store(true);
    if (round->fd >= 0) {
        const std::uint64_t one = 1;
        // Cannot fail: the counter is far from its maximum and the fd is ours.
        [[maybe_unused]] const ssize_t n = ::write(round->fd, &one, sizeof one);
    }
    if (round->waiters == 0)
        close_round(round);
}

void Interruption::resume()
{
    std::lock_guard<std::mutex> hold(lock_);
    interrupted_ = false;
}

bool Interruption::begin_wait(Waiter &w)
{
    std::lock_guard<std::mutex> hold(lock_);
    if (interrupted_)
        return false;
    if (current_ == nullptr)
        current_ = new WakeRound;
    // Without a descriptor to spare the call still waits, in slices; the
    // next round to start afresh tries again.
    if (current_->fd < 0 && current_->waiters == 0)
        current_->fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    ++current_->waiters;
    w.owner_ = this;
    w.round_ = current_;
    return true;
}

void Interruption::leave(WakeRound *round)
{
    std::lock_guard<std::mutex> hold(lock_);
    if (--round->waiters == 0 && round != current_)
        close_round(round); // retired by an interrupt, and nobody is left on it
}

Interruption::Waiter::~Waiter()
{
    if (owner_ != nullptr)
        owner_->leave(round_);
}

int Interruption::Waiter::wake_fd() const { return round_ != nullptr ? round_->fd : -1; }

bool Interruption::Waiter::fired() const { return round_ != nullptr && round_->fired.load(); }

} // namespace pmq::detail
