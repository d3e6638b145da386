// Timeouts (< 0, 0, > 0), interruption by a signal handler (PMQ_EINTR), and
// pthread_cancel of a blocked send or receive.
#include <pmq/pmq.h>

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;
using steady = std::chrono::steady_clock;

namespace {

class Timeouts : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(pmq_create(name_.c_str(), PMQ_READ | PMQ_WRITE, 0, 1, 16, &q_), PMQ_OK)
            << pmq_last_error();
    }
    void TearDown() override { pmq_close(q_); }

    UnlinkGuard name_{unique_queue_name("timeout")};
    pmq_queue *q_ = nullptr;
    char buf_[16];
};

TEST_F(Timeouts, ZeroDoesNotWait)
{
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "timeout is 0"), nullptr) << pmq_last_error();
    ASSERT_EQ(pmq_send_timed(q_, "a", 1, 0, 0), PMQ_OK);
    EXPECT_EQ(pmq_send_timed(q_, "b", 1, 0, 0), PMQ_EAGAIN);
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), 1);
}

TEST_F(Timeouts, PositiveWaitsAtLeastThatLongThenTimesOut)
{
    const auto start = steady::now();
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 150), PMQ_ETIMEDOUT);
    EXPECT_GE(steady::now() - start, std::chrono::milliseconds(150));
    EXPECT_NE(std::strstr(pmq_last_error(), "150 ms"), nullptr) << pmq_last_error();

    ASSERT_EQ(pmq_send(q_, "full", 4, 0), PMQ_OK);
    const auto start_send = steady::now();
    EXPECT_EQ(pmq_send_timed(q_, "x", 1, 0, 120), PMQ_ETIMEDOUT);
    EXPECT_GE(steady::now() - start_send, std::chrono::milliseconds(120));
}

TEST_F(Timeouts, PositiveReturnsAsSoonAsAMessageArrives)
{
    std::thread sender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        pmq_send(q_, "late", 4, 2);
    });
    unsigned priority = 0;
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, &priority, 20000), 4) << pmq_last_error();
    EXPECT_EQ(priority, 2u);
    sender.join();

    ASSERT_EQ(pmq_send(q_, "full", 4, 0), PMQ_OK);
    std::thread receiver([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        char b[16];
        pmq_recv(q_, b, sizeof b, nullptr);
    });
    EXPECT_EQ(pmq_send_timed(q_, "room", 4, 0, 20000), PMQ_OK) << pmq_last_error();
    receiver.join();
}

TEST_F(Timeouts, NegativeWaitsForever)
{
    std::thread sender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        pmq_send(q_, "eventually", 10, 0);
    });
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, -1), 10) << pmq_last_error();
    sender.join();
}

// A handler installed without SA_RESTART: the interrupted wait returns PMQ_EINTR.
std::atomic<int> alarms{0};
void on_alarm(int) { ++alarms; }

class Interrupted : public Timeouts {
protected:
    void SetUp() override
    {
        Timeouts::SetUp();
        struct sigaction sa {};
        sa.sa_handler = on_alarm;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART
        ASSERT_EQ(::sigaction(SIGALRM, &sa, &old_), 0);
        alarms = 0;
    }
    void TearDown() override
    {
        struct itimerval off {};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        ::sigaction(SIGALRM, &old_, nullptr);
        Timeouts::TearDown();
    }
    static void arm_timer_ms(int ms)
    {
        struct itimerval t {};
        t.it_value.tv_usec = ms * 1000;
        ::setitimer(ITIMER_REAL, &t, nullptr);
    }
    struct sigaction old_ {};
};

TEST_F(Interrupted, BlockingReceiveReturnsEintr)
{
    arm_timer_ms(50);
    EXPECT_EQ(pmq_recv(q_, buf_, sizeof buf_, nullptr), PMQ_EINTR);
    EXPECT_EQ(alarms.load(), 1);
    EXPECT_NE(std::strstr(pmq_last_error(), "signal"), nullptr) << pmq_last_error();
}

TEST_F(Interrupted, TimedReceiveAndBlockingSendReturnEintr)
{
    arm_timer_ms(50);
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 30000), PMQ_EINTR);
    ASSERT_EQ(pmq_send(q_, "full", 4, 0), PMQ_OK);
    arm_timer_ms(50);
    EXPECT_EQ(pmq_send(q_, "x", 1, 0), PMQ_EINTR);
    arm_timer_ms(50);
    EXPECT_EQ(pmq_send_timed(q_, "x", 1, 0, 30000), PMQ_EINTR);
    EXPECT_EQ(alarms.load(), 3);
    // Nothing was lost or added by the interrupted calls.
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q_, &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 1);
}

// pthread_cancel of a thread blocked in libpmq: its cleanup handler runs once.
struct CancelCase {
    pmq_queue *q;
    bool timed;
    bool sending;
    std::atomic<int> cleanups{0};
    std::atomic<bool> entered{false};
};

void count_cleanup(void *arg) { ++static_cast<CancelCase *>(arg)->cleanups; }

void *blocked_call(void *arg)
{
    auto *c = static_cast<CancelCase *>(arg);
    pthread_cleanup_push(count_cleanup, c);
    char buf[16];
    c->entered = true;
    if (c->sending)
        c->timed ? pmq_send_timed(c->q, "x", 1, 0, 60000) : pmq_send(c->q, "x", 1, 0);
    else
        c->timed ? pmq_recv_timed(c->q, buf, sizeof buf, nullptr, 60000)
                 : pmq_recv(c->q, buf, sizeof buf, nullptr);
    pthread_cleanup_pop(0);
    return nullptr;
}

void expect_clean_cancel(pmq_queue *q, bool timed, bool sending)
{
    CancelCase c;
    c.q = q;
    c.timed = timed;
    c.sending = sending;
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, nullptr, blocked_call, &c), 0);
    while (!c.entered)
        std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(pthread_cancel(thread), 0);
    void *result = nullptr;
    ASSERT_EQ(pthread_join(thread, &result), 0);
    EXPECT_EQ(result, PTHREAD_CANCELED);
    EXPECT_EQ(c.cleanups.load(), 1);
}

TEST_F(Timeouts, CancellingABlockedReceiveIsClean)
{
    expect_clean_cancel(q_, false, false);
    expect_clean_cancel(q_, true, false);
}

TEST_F(Timeouts, CancellingABlockedSendIsClean)
{
    ASSERT_EQ(pmq_send(q_, "full", 4, 0), PMQ_OK);
    expect_clean_cancel(q_, false, true);
    expect_clean_cancel(q_, true, true);
    // The queue still holds exactly the one message.
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), 4);
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), PMQ_EAGAIN);
}

} // namespace
