// Waits that end early: a signal handler interrupts a blocked receive
// (errc::interrupted, in both forms), and pthread_cancel of a thread blocked
// in pmq.hpp unwinds it cleanly, running its destructors, since no blocking
// call is noexcept or swallows the cancellation.
#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using pmq::access;
using pmq::errc;

class QueueInterruption : public ::testing::Test {
protected:
    pmq_test::UnlinkGuard guard{pmq_test::unique_queue_name("cxx-intr")};
    pmq::queue q = pmq::queue::create(guard.name(), access::read_write, {2, 32});
};

extern "C" void ignore_signal(int) {}

TEST_F(QueueInterruption, ASignalInterruptsABlockedReceive)
{
    struct sigaction action{};
    struct sigaction previous{};
    action.sa_handler = ignore_signal; // no SA_RESTART: the wait must end
    ASSERT_EQ(::sigaction(SIGUSR1, &action, &previous), 0);

    std::atomic<bool> done{false};
    std::error_code thrown_code;
    std::error_code ec;
    std::thread receiver([&] {
        try {
            (void)q.receive();
        } catch (const pmq::error &e) {
            thrown_code = e.code();
        }
        (void)q.receive(ec);
        done = true;
    });
    // A signal that lands before the wait starts is lost: repeat until the
    // receiver has been interrupted twice, or give up and wake it.
    for (int i = 0; i < 500 && !done; ++i) {
        ::pthread_kill(receiver.native_handle(), SIGUSR1);
        std::this_thread::sleep_for(10ms);
    }
    if (!done) {
        pmq::queue waker = pmq::queue::open(guard.name(), access::write);
        waker.send("unblock");
        waker.send("unblock");
    }
    receiver.join();
    ::sigaction(SIGUSR1, &previous, nullptr);
    EXPECT_EQ(thrown_code, errc::interrupted);
    EXPECT_EQ(ec, errc::interrupted);
}

struct CancelledReceive {
    pmq::queue *q;
    bool use_error_code;
    std::atomic<bool> unwound{false};
};

// Blocks in a receive on an empty queue until cancelled.
void *receive_until_cancelled(void *arg)
{
    auto *state = static_cast<CancelledReceive *>(arg);
    struct SetOnUnwind {
        std::atomic<bool> &flag;
        ~SetOnUnwind() { flag = true; }
    } set_on_unwind{state->unwound};
    std::error_code ec;
    if (state->use_error_code)
        (void)state->q->receive(ec);
    else
        (void)state->q->receive();
    return nullptr;
}

void expect_cancel_unwinds(pmq::queue &q, bool use_error_code)
{
    CancelledReceive state{&q, use_error_code};
    pthread_t thread{};
    ASSERT_EQ(::pthread_create(&thread, nullptr, receive_until_cancelled, &state), 0);
    std::this_thread::sleep_for(20ms); // cancellation is deferred: no race either way
    ASSERT_EQ(::pthread_cancel(thread), 0);
    void *result = nullptr;
    ASSERT_EQ(::pthread_join(thread, &result), 0);
    EXPECT_EQ(result, PTHREAD_CANCELED);
    EXPECT_TRUE(state.unwound) << "the cancelled thread's destructors must run";
}

TEST_F(QueueInterruption, CancellingABlockedReceiveUnwindsTheThread)
{
    expect_cancel_unwinds(q, false);
    expect_cancel_unwinds(q, true);
    // The queue is intact and no message was lost.
    q.send("after");
    EXPECT_EQ(q.receive().data, "after");
}

} // namespace
