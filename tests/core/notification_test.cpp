// pmq_notify and pmq_notify_signal: one-shot, cancellable, re-registrable from
// the callback, one process per queue.
#include <pmq/pmq.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;
using namespace std::chrono_literals;

namespace {

struct Calls {
    std::mutex lock;
    std::condition_variable changed;
    int count = 0;
    pmq_queue *last_queue = nullptr;
    bool rearm = false;

    bool wait_for(int n, std::chrono::milliseconds limit)
    {
        std::unique_lock<std::mutex> hold(lock);
        return changed.wait_for(hold, limit, [&] { return count >= n; });
    }
    int seen()
    {
        std::lock_guard<std::mutex> hold(lock);
        return count;
    }
};

void on_message(pmq_queue *q, void *ctx)
{
    auto *calls = static_cast<Calls *>(ctx);
    if (calls->rearm)
        pmq_notify(q, on_message, ctx); // register again from inside the callback
    std::lock_guard<std::mutex> hold(calls->lock);
    ++calls->count;
    calls->last_queue = q;
    calls->changed.notify_all();
}

class Notification : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(pmq_create(name_.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &q_), PMQ_OK);
    }
    void TearDown() override { pmq_close(q_); }
    void drain()
    {
        char buf[16];
        while (pmq_recv_timed(q_, buf, sizeof buf, nullptr, 0) >= 0) {
        }
    }

    UnlinkGuard name_{unique_queue_name("notify")};
    pmq_queue *q_ = nullptr;
};

TEST_F(Notification, CallbackFiresOnceWithItsQueueAndContext)
{
    Calls calls;
    ASSERT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK);
    ASSERT_TRUE(calls.wait_for(1, 10s));
    EXPECT_EQ(calls.last_queue, q_);
    // One-shot: a later empty -> non-empty transition does not call again.
    drain();
    ASSERT_EQ(pmq_send(q_, "b", 1, 0), PMQ_OK);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(calls.seen(), 1);
}

TEST_F(Notification, CallbackMayRegisterAgain)
{
    Calls calls;
    calls.rearm = true;
    ASSERT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK);
    for (int i = 1; i <= 3; ++i) {
        ASSERT_EQ(pmq_send(q_, "x", 1, 0), PMQ_OK);
        ASSERT_TRUE(calls.wait_for(i, 10s)) << "notification " << i;
        drain();
    }
    calls.rearm = false;
    EXPECT_EQ(pmq_notify(q_, nullptr, nullptr), PMQ_OK);
}

TEST_F(Notification, CancelledRegistrationDoesNotFire)
{
    Calls calls;
    ASSERT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK);
    ASSERT_EQ(pmq_notify(q_, nullptr, nullptr), PMQ_OK);
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(calls.seen(), 0);
    // Cancelled, the queue can be registered again.
    drain();
    ASSERT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK);
    ASSERT_EQ(pmq_send(q_, "b", 1, 0), PMQ_OK);
    EXPECT_TRUE(calls.wait_for(1, 10s));
}

TEST_F(Notification, SecondRegistrationIsBusy)
{
    Calls calls;
    ASSERT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK);
    EXPECT_EQ(pmq_notify(q_, on_message, &calls), PMQ_EBUSY);
    EXPECT_NE(std::strstr(pmq_last_error(), "notification"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_notify_signal(q_, SIGUSR1), PMQ_EBUSY);
    EXPECT_EQ(pmq_notify(q_, nullptr, nullptr), PMQ_OK);
}

TEST_F(Notification, AnotherProcessHoldingTheRegistrationMakesItBusy)
{
    int ready[2], done[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(done), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pmq_queue *mine = nullptr;
        char byte = pmq_open(name_.c_str(), PMQ_READ, &mine) == PMQ_OK &&
                            pmq_notify_signal(mine, SIGUSR2) == PMQ_OK
                        ? 'y'
                        : 'n';
        (void)!::write(ready[1], &byte, 1);
        (void)!::read(done[0], &byte, 1);
        ::_exit(0);
    }
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ASSERT_EQ(byte, 'y');
    Calls calls;
    EXPECT_EQ(pmq_notify(q_, on_message, &calls), PMQ_EBUSY);
    EXPECT_EQ(pmq_notify_signal(q_, SIGUSR1), PMQ_EBUSY);
    (void)!::write(done[1], "x", 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    for (int fd : {ready[0], ready[1], done[0], done[1]})
        ::close(fd);
    // The child's descriptor is gone with it: the registration is free again.
    EXPECT_EQ(pmq_notify(q_, on_message, &calls), PMQ_OK) << pmq_last_error();
}

TEST_F(Notification, SignalIsDeliveredOnceWithTheMessageQueueCode)
{
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
    ASSERT_EQ(pmq_notify_signal(q_, SIGUSR1), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_send(q_, "a", 1, 0), PMQ_OK);
    siginfo_t info{};
    const struct timespec wait = {10, 0};
    ASSERT_EQ(::sigtimedwait(&usr1, &info, &wait), SIGUSR1);
    EXPECT_EQ(info.si_code, SI_MESGQ);
    drain();
    ASSERT_EQ(pmq_send(q_, "b", 1, 0), PMQ_OK);
    const struct timespec short_wait = {0, 200000000};
    EXPECT_EQ(::sigtimedwait(&usr1, &info, &short_wait), -1) << "one-shot";

    // Cancelled with 0: no signal.
    drain();
    ASSERT_EQ(pmq_notify_signal(q_, SIGUSR1), PMQ_OK);
    ASSERT_EQ(pmq_notify_signal(q_, 0), PMQ_OK);
    ASSERT_EQ(pmq_send(q_, "c", 1, 0), PMQ_OK);
    EXPECT_EQ(::sigtimedwait(&usr1, &info, &short_wait), -1);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST_F(Notification, BadSignalNumbersAreRefused)
{
    EXPECT_EQ(pmq_notify_signal(q_, -1), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "not a signal number"), nullptr);
    EXPECT_EQ(pmq_notify_signal(q_, 100000), PMQ_EINVAL);
}

TEST(NotificationClose, ClosingARegisteredHandleIsSafe)
{
    UnlinkGuard name(unique_queue_name("notify-close"));
    pmq_queue *q = nullptr, *writer = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &q), PMQ_OK);
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_WRITE, &writer), PMQ_OK);
    Calls calls;
    ASSERT_EQ(pmq_notify(q, on_message, &calls), PMQ_OK);
    EXPECT_EQ(pmq_close(q), PMQ_OK);
    ASSERT_EQ(pmq_send(writer, "after close", 11, 0), PMQ_OK);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(calls.seen(), 0);
    pmq_close(writer);
}

} // namespace

namespace {

// The kernel drops this process's registration when the process closes any
// descriptor of the queue; registering again must then work (no stale EBUSY).
TEST(NotificationKernel, RegistrationDroppedByClosingAnotherDescriptorCanBeRenewed)
{
    UnlinkGuard name(unique_queue_name("notify-renew"));
    pmq_queue *q = nullptr, *other = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &q), PMQ_OK);
    Calls calls;
    ASSERT_EQ(pmq_notify(q, on_message, &calls), PMQ_OK);
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_WRITE, &other), PMQ_OK);
    ASSERT_EQ(pmq_close(other), PMQ_OK); // the kernel forgets q's registration here
    ASSERT_EQ(pmq_notify(q, on_message, &calls), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_send(q, "a", 1, 0), PMQ_OK);
    EXPECT_TRUE(calls.wait_for(1, 10s));
    pmq_close(q);
}

void close_own_queue(pmq_queue *q, void *ctx)
{
    auto *calls = static_cast<Calls *>(ctx);
    const int rc = pmq_close(q); // must neither hang nor crash
    std::lock_guard<std::mutex> hold(calls->lock);
    calls->count = rc == PMQ_OK ? 1 : -1;
    calls->changed.notify_all();
}

TEST(NotificationKernel, CallbackMayCloseItsOwnHandle)
{
    UnlinkGuard name(unique_queue_name("notify-selfclose"));
    pmq_queue *q = nullptr, *writer = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &q), PMQ_OK);
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_WRITE, &writer), PMQ_OK);
    Calls calls;
    ASSERT_EQ(pmq_notify(q, close_own_queue, &calls), PMQ_OK);
    ASSERT_EQ(pmq_send(writer, "a", 1, 0), PMQ_OK);
    ASSERT_TRUE(calls.wait_for(1, 10s));
    EXPECT_EQ(calls.seen(), 1);
    pmq_close(writer);
}

} // namespace

namespace {

// pmq_close racing a callback that registers again (issue 12, item 1): the
// registration the callback makes while pmq_close runs must be cancelled too,
// or it fires on a freed handle.  Bounded by iterations (a few seconds); ASan
// sees the freed handle, and any build sees a callback after pmq_close.
struct RaceRound {
    std::atomic<bool> closed{false};
    std::atomic<int> calls{0};
};

std::atomic<int> calls_after_close{0};

void drain_handle(pmq_queue *q)
{
    char buf[16];
    while (pmq_recv(q, buf, sizeof buf, nullptr) >= 0) {
    }
}

void drain_register_and_work(pmq_queue *q, void *ctx)
{
    auto *round = static_cast<RaceRound *>(ctx);
    if (round->closed.load())
        ++calls_after_close;
    ++round->calls;
    drain_handle(q);
    pmq_notify(q, drain_register_and_work, ctx);
    std::this_thread::sleep_for(200us);
}

TEST(NotificationCloseRace, CloseWhileTheCallbackRegistersAgain)
{
    UnlinkGuard name(unique_queue_name("notify-race"));
    pmq_queue *writer = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_WRITE | PMQ_NONBLOCK, 0, 8, 16, &writer), PMQ_OK)
        << pmq_last_error();
    std::atomic<bool> stop{false};
    std::thread producer([&] {
        std::minstd_rand random(1);
        while (!stop.load()) {
            pmq_send(writer, "x", 1, 0); // PMQ_EAGAIN when full: fine
            std::this_thread::sleep_for(std::chrono::microseconds(50 + random() % 201));
        }
    });
    constexpr int rounds = 1500;
    std::vector<std::unique_ptr<RaceRound>> kept; // never freed during the test
    std::minstd_rand random(2);
    int registered = 0, fired = 0;
    for (int i = 0; i < rounds; ++i) {
        auto round = std::make_unique<RaceRound>();
        pmq_queue *q = nullptr;
        ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_NONBLOCK, &q), PMQ_OK) << pmq_last_error();
        drain_handle(q);
        if (pmq_notify(q, drain_register_and_work, round.get()) == PMQ_OK)
            ++registered;
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 1001));
        ASSERT_EQ(pmq_close(q), PMQ_OK) << pmq_last_error();
        round->closed.store(true);
        fired += round->calls.load() > 0 ? 1 : 0;
        kept.push_back(std::move(round));
    }
    stop.store(true);
    producer.join();
    pmq_close(writer);
    // Callbacks that the kernel fired just before a close may still be on
    // their way; give them time to show up.
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(calls_after_close.load(), 0);
    EXPECT_EQ(registered, rounds);
    EXPECT_GT(fired, rounds / 4) << "the race was not exercised: too few callbacks ran";
}

} // namespace

namespace {

void count_in_child(pmq_queue *, void *ctx)
{
    static_cast<std::atomic<int> *>(ctx)->fetch_add(1);
}

// After fork() the child has none of the parent's registrations, its own
// callbacks work, and it takes none of the parent's notifications.
TEST(NotificationFork, ChildRegistersItsOwnAndLeavesTheParentsAlone)
{
    UnlinkGuard parent_name(unique_queue_name("notify-parent"));
    UnlinkGuard child_name(unique_queue_name("notify-child"));
    pmq_queue *parents = nullptr, *childs = nullptr;
    ASSERT_EQ(pmq_create(parent_name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &parents), PMQ_OK);
    ASSERT_EQ(pmq_create(child_name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 16, &childs), PMQ_OK);
    Calls calls;
    ASSERT_EQ(pmq_notify(parents, on_message, &calls), PMQ_OK) << pmq_last_error();
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The parent's registration is the parent's: cancelling from here
        // must not touch it.
        pmq_notify(parents, nullptr, nullptr);
        std::atomic<int> fired{0};
        const bool registered = pmq_notify(childs, count_in_child, &fired) == PMQ_OK;
        (void)!::write(ready[1], "r", 1);
        // The parent now sends to both queues.
        for (int i = 0; i < 1000 && fired.load() == 0; ++i)
            std::this_thread::sleep_for(10ms);
        ::_exit(registered && fired.load() == 1 ? 0 : 1);
    }
    ::close(ready[1]); // a child that dies early then ends the read
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the child died before registering";
    ASSERT_EQ(pmq_send(parents, "p", 1, 0), PMQ_OK);
    ASSERT_EQ(pmq_send(childs, "c", 1, 0), PMQ_OK);
    EXPECT_TRUE(calls.wait_for(1, 10s)) << "the parent's callback did not run";
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the child's own callback did not run (status " << status << ")";
    ::close(ready[0]);
    pmq_close(childs);
    pmq_close(parents);
}

} // namespace
