// pmq_wait: the ready subset, timeouts, directions, non-blocking handles,
// signals; and since 1.1 every wait is in ppoll(), so the rules for
// SA_RESTART and for notification are libpmq's own: tested here.
#include <pmq/pmq.h>

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "blocked_threads.hpp"
#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int read_ready = static_cast<int>(PMQ_READ);
constexpr int write_ready = static_cast<int>(PMQ_WRITE);

class Wait : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(pmq_create(name_.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 16, &q_), PMQ_OK)
            << pmq_last_error();
    }
    void TearDown() override { pmq_close(q_); }

    UnlinkGuard name_{unique_queue_name("wait")};
    pmq_queue *q_ = nullptr;
    char buf_[16];
};

TEST_F(Wait, ReturnsTheReadySubsetAndTakesNothing)
{
    EXPECT_EQ(pmq_wait(q_, PMQ_READ | PMQ_WRITE, -1), write_ready); // empty: room only
    EXPECT_EQ(pmq_wait(q_, PMQ_WRITE, 0), write_ready);
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ | PMQ_WRITE, -1), read_ready | write_ready);
    ASSERT_EQ(pmq_send(q_, "b", 1, 0), PMQ_OK);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ | PMQ_WRITE, 0), read_ready); // full: a message only
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 1000), read_ready);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q_, &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 2); // nothing taken
}

TEST_F(Wait, TimeoutZeroDoesNotWaitAndPositiveTimesOut)
{
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 0), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "timeout is 0"), nullptr) << pmq_last_error();
    const auto start = steady::now();
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 120), PMQ_ETIMEDOUT);
    EXPECT_GE(steady::now() - start, 120ms);
    EXPECT_NE(std::strstr(pmq_last_error(), "120 ms"), nullptr) << pmq_last_error();
}

TEST_F(Wait, ForeverReturnsWhenAMessageArrivesAndLeavesIt)
{
    std::atomic<pid_t> tid{0};
    int result = 0;
    std::thread waiter([&] {
        tid = pmq_test::current_tid();
        result = pmq_wait(q_, PMQ_READ, -1);
    });
    while (tid == 0)
        std::this_thread::yield();
    ASSERT_TRUE(pmq_test::wait_until_in_syscall(tid, SYS_ppoll));
    ASSERT_EQ(pmq_send(q_, "hello", 5, 3), PMQ_OK);
    waiter.join();
    EXPECT_EQ(result, read_ready);
    unsigned priority = 0;
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, &priority, 0), 5);
    EXPECT_EQ(priority, 3u);
}

TEST_F(Wait, ForRoomReturnsWhenAMessageIsTaken)
{
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK);
    ASSERT_EQ(pmq_send(q_, "b", 1, 0), PMQ_OK);
    std::atomic<pid_t> tid{0};
    int result = 0;
    std::thread waiter([&] {
        tid = pmq_test::current_tid();
        result = pmq_wait(q_, PMQ_WRITE, 60000);
    });
    while (tid == 0)
        std::this_thread::yield();
    ASSERT_TRUE(pmq_test::wait_until_in_syscall(tid, SYS_ppoll));
    ASSERT_EQ(pmq_recv(q_, buf_, sizeof buf_, nullptr), 1);
    waiter.join();
    EXPECT_EQ(result, write_ready);
}

TEST_F(Wait, EventsTheHandleWasNotOpenedForAreBadf)
{
    pmq_queue *writer = nullptr, *reader = nullptr;
    ASSERT_EQ(pmq_open(name_.c_str(), PMQ_WRITE, &writer), PMQ_OK);
    ASSERT_EQ(pmq_open(name_.c_str(), PMQ_READ, &reader), PMQ_OK);
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK); // ready either way: still refused
    EXPECT_EQ(pmq_wait(writer, PMQ_READ, -1), PMQ_EBADF);
    EXPECT_NE(std::strstr(pmq_last_error(), "without PMQ_READ"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_wait(writer, PMQ_READ | PMQ_WRITE, 0), PMQ_EBADF);
    EXPECT_EQ(pmq_wait(reader, PMQ_WRITE, -1), PMQ_EBADF);
    EXPECT_NE(std::strstr(pmq_last_error(), "without PMQ_WRITE"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_wait(writer, PMQ_WRITE, 0), write_ready);
    EXPECT_EQ(pmq_wait(reader, PMQ_READ, 0), read_ready);
    pmq_close(writer);
    pmq_close(reader);
}

TEST_F(Wait, BadEventsAndNullHandleAreInvalid)
{
    EXPECT_EQ(pmq_wait(q_, 0, -1), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "PMQ_READ"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_wait(q_, PMQ_NONBLOCK | PMQ_READ, 0), PMQ_EINVAL);
    EXPECT_EQ(pmq_wait(q_, 0x100u, 0), PMQ_EINVAL);
    EXPECT_EQ(pmq_wait(nullptr, PMQ_READ, 0), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "pmq_wait"), nullptr) << pmq_last_error();
}

TEST_F(Wait, NonBlockingHandleNeverWaits)
{
    ASSERT_EQ(pmq_set_nonblocking(q_, 1), PMQ_OK);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, -1), PMQ_EAGAIN); // would hang otherwise
    EXPECT_NE(std::strstr(pmq_last_error(), "non-blocking"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 60000), PMQ_EAGAIN);
    EXPECT_EQ(pmq_wait(q_, PMQ_WRITE, -1), write_ready);
}

// Signals.  SIGALRM from a timer interrupts the wait; the handler's flags
// decide between PMQ_EINTR and going on waiting.
std::atomic<int> wait_alarms{0};
void on_wait_alarm(int) { ++wait_alarms; }

class Signals : public Wait {
protected:
    void install(int flags)
    {
        struct sigaction sa {};
        sa.sa_handler = on_wait_alarm;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = flags;
        ASSERT_EQ(::sigaction(SIGALRM, &sa, &old_), 0);
        installed_ = true;
        wait_alarms = 0;
    }
    void TearDown() override
    {
        struct itimerval off {};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        if (installed_)
            ::sigaction(SIGALRM, &old_, nullptr);
        Wait::TearDown();
    }
    static void arm_timer_ms(int ms)
    {
        struct itimerval t {};
        t.it_value.tv_usec = ms * 1000;
        ::setitimer(ITIMER_REAL, &t, nullptr);
    }
    // A thread that never takes SIGALRM, so the alarm lands in the waiting
    // (test) thread: it starts with the signal blocked.
    template <class Body>
    static std::thread without_alarm(Body body)
    {
        sigset_t alarm, old;
        sigemptyset(&alarm);
        sigaddset(&alarm, SIGALRM);
        pthread_sigmask(SIG_BLOCK, &alarm, &old);
        std::thread t(body);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return t;
    }
    // A message sent from another thread once the alarm has been handled.
    std::thread send_after_alarm()
    {
        return without_alarm([this] {
            while (wait_alarms == 0)
                std::this_thread::yield();
            pmq_send(q_, "late", 4, 0);
        });
    }
    struct sigaction old_ {};
    bool installed_ = false;
};

TEST_F(Signals, WithoutSaRestartWaitsReturnEintr)
{
    install(0);
    arm_timer_ms(30);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, -1), PMQ_EINTR);
    EXPECT_NE(std::strstr(pmq_last_error(), "signal"), nullptr) << pmq_last_error();
    arm_timer_ms(30);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 60000), PMQ_EINTR);
    EXPECT_EQ(wait_alarms.load(), 2);
}

// 1.0 waited in mq_receive, which the kernel restarts for SA_RESTART
// handlers; 1.1 waits in ppoll(), never restarted by the kernel, and keeps
// the promise itself.
TEST_F(Signals, WithSaRestartEndlessCallsGoOnWaiting)
{
    install(SA_RESTART);
    arm_timer_ms(30);
    std::thread sender = send_after_alarm();
    EXPECT_EQ(pmq_recv(q_, buf_, sizeof buf_, nullptr), 4) << pmq_last_error();
    sender.join();
    EXPECT_EQ(wait_alarms.load(), 1);

    wait_alarms = 0;
    arm_timer_ms(30);
    sender = send_after_alarm();
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, -1), read_ready) << pmq_last_error();
    sender.join();
    // Never waits: a broken restart must fail here, not hang.
    while (pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0) >= 0) {
    }

    ASSERT_EQ(pmq_send_timed(q_, "a", 1, 0, 0), PMQ_OK);
    ASSERT_EQ(pmq_send_timed(q_, "b", 1, 0, 0), PMQ_OK);
    wait_alarms = 0;
    arm_timer_ms(30);
    std::thread taker = without_alarm([this] {
        while (wait_alarms == 0)
            std::this_thread::yield();
        char b[16];
        pmq_recv(q_, b, sizeof b, nullptr);
    });
    EXPECT_EQ(pmq_send(q_, "c", 1, 0), PMQ_OK) << pmq_last_error();
    taker.join();
}

// A timed wait is not restarted, as documented (and as in 1.0).
TEST_F(Signals, WithSaRestartTimedWaitsStillReturnEintr)
{
    install(SA_RESTART);
    arm_timer_ms(30);
    EXPECT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 60000), PMQ_EINTR);
    arm_timer_ms(30);
    EXPECT_EQ(pmq_wait(q_, PMQ_READ, 60000), PMQ_EINTR);
}

// Notification, as stated in pmq.h since 1.1: a receiver waiting in libpmq
// (in ppoll, not in the kernel's mq_receive) does not hold it back.
struct Fired {
    std::mutex lock;
    std::condition_variable changed;
    int count = 0;
};

void on_wait_message(pmq_queue *, void *ctx)
{
    auto *fired = static_cast<Fired *>(ctx);
    std::lock_guard<std::mutex> hold(fired->lock);
    ++fired->count;
    fired->changed.notify_all();
}

void expect_notification_despite_a_waiting_call(pmq_queue *q, bool receive)
{
    Fired fired;
    ASSERT_EQ(pmq_notify(q, on_wait_message, &fired), PMQ_OK);
    std::atomic<pid_t> tid{0};
    int result = 0;
    std::thread waiting([&] {
        tid = pmq_test::current_tid();
        char b[16];
        result = receive ? pmq_recv(q, b, sizeof b, nullptr) : pmq_wait(q, PMQ_READ, -1);
    });
    while (tid == 0)
        std::this_thread::yield();
    ASSERT_TRUE(pmq_test::wait_until_in_syscall(tid, SYS_ppoll));
    ASSERT_EQ(pmq_send(q, "m", 1, 0), PMQ_OK);
    waiting.join();
    EXPECT_EQ(result, receive ? 1 : read_ready);
    std::unique_lock<std::mutex> hold(fired.lock);
    EXPECT_TRUE(fired.changed.wait_for(hold, 10s, [&] { return fired.count == 1; }))
        << "the notification was held back by a waiting " << (receive ? "pmq_recv" : "pmq_wait");
}

TEST_F(Wait, AnEndlessReceiveDoesNotHoldNotificationBack)
{
    expect_notification_despite_a_waiting_call(q_, true);
}

TEST_F(Wait, AWaitDoesNotHoldNotificationBack)
{
    expect_notification_despite_a_waiting_call(q_, false);
    pmq_notify(q_, nullptr, nullptr);
}

} // namespace
