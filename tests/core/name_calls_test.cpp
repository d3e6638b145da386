// pmq_send_to, pmq_recv_from, pmq_info: the seed's one-call-per-operation style.
#include <pmq/pmq.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;

namespace {

int create_queue(const std::string &name, int64_t max_messages, int64_t message_size)
{
    pmq_queue *q = nullptr;
    const int rc = pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, max_messages, message_size, &q);
    pmq_close(q);
    return rc;
}

TEST(NameCalls, SendReceiveAndInfoByName)
{
    UnlinkGuard name(unique_queue_name("byname"));
    ASSERT_EQ(create_queue(name.name(), 4, 100), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_send_to(name.c_str(), "one", 3, 1, 0), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_send_to(name.c_str(), "two", 3, 7, 0), PMQ_OK);
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 4);
    EXPECT_EQ(attr.message_size, 100);
    EXPECT_EQ(attr.current_messages, 2);
    EXPECT_EQ(attr.flags, 0u);
    char buf[100];
    unsigned priority = 0;
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, &priority, 0), 3);
    EXPECT_EQ(std::string(buf, 3), "two");
    EXPECT_EQ(priority, 7u) << "the seed lost the priority; libpmq returns it";
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 3);
    EXPECT_EQ(std::string(buf, 3), "one");
}

TEST(NameCalls, NonblockOnFullAndEmpty)
{
    UnlinkGuard name(unique_queue_name("byname-nb"));
    ASSERT_EQ(create_queue(name.name(), 1, 16), PMQ_OK);
    char buf[16];
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK), PMQ_EAGAIN);
    ASSERT_EQ(pmq_send_to(name.c_str(), "a", 1, 0, PMQ_NONBLOCK), PMQ_OK);
    EXPECT_EQ(pmq_send_to(name.c_str(), "b", 1, 0, PMQ_NONBLOCK), PMQ_EAGAIN);
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK), 1);
}

TEST(NameCalls, ErrorsChangeNothing)
{
    UnlinkGuard name(unique_queue_name("byname-err"));
    const std::string missing = unique_queue_name("missing");
    char buf[64];
    pmq_attr attr{};
    EXPECT_EQ(pmq_send_to(missing.c_str(), "a", 1, 0, 0), PMQ_ENOENT);
    EXPECT_EQ(pmq_recv_from(missing.c_str(), buf, sizeof buf, nullptr, 0), PMQ_ENOENT);
    EXPECT_EQ(pmq_info(missing.c_str(), &attr), PMQ_ENOENT);
    EXPECT_NE(std::strstr(pmq_last_error(), missing.c_str()), nullptr) << pmq_last_error();

    ASSERT_EQ(create_queue(name.name(), 2, 32), PMQ_OK);
    EXPECT_EQ(pmq_send_to(name.c_str(), "a", 1, 0, PMQ_READ), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "only flag allowed"), nullptr);
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_EXCL), PMQ_EINVAL);
    EXPECT_EQ(pmq_send_to(name.c_str(), nullptr, 3, 0, 0), PMQ_EINVAL);
    EXPECT_EQ(pmq_send_to(name.c_str(), "a", 1, 40000, 0), PMQ_EINVAL);
    const std::string big(33, 'x');
    EXPECT_EQ(pmq_send_to(name.c_str(), big.data(), big.size(), 0, 0), PMQ_EMSGSIZE);
    ASSERT_EQ(pmq_send_to(name.c_str(), "kept", 4, 0, 0), PMQ_OK);
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, 31, nullptr, 0), PMQ_EMSGSIZE);
    EXPECT_EQ(pmq_recv_from(name.c_str(), nullptr, 32, nullptr, 0), PMQ_EINVAL);
    EXPECT_EQ(pmq_info(name.c_str(), nullptr), PMQ_EINVAL);
    EXPECT_EQ(pmq_send_to("bad", "a", 1, 0, 0), PMQ_ENAME);
    EXPECT_EQ(pmq_recv_from(nullptr, buf, sizeof buf, nullptr, 0), PMQ_ENAME);
    EXPECT_EQ(pmq_info("/a/b", &attr), PMQ_ENAME);
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 1);
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 4);
}

// Another process unlinks the name and creates a new queue under it between
// two name-based calls: the second call must talk to the new queue.
TEST(NameCalls, FollowTheNameAfterAnotherProcessRecreatesIt)
{
    UnlinkGuard name(unique_queue_name("recreate"));
    ASSERT_EQ(create_queue(name.name(), 2, 32), PMQ_OK);
    ASSERT_EQ(pmq_send_to(name.c_str(), "old", 3, 0, 0), PMQ_OK);
    char buf[64];
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 3);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const bool ok = pmq_unlink(name.c_str()) == PMQ_OK &&
                        create_queue(name.name(), 3, 64) == PMQ_OK &&
                        pmq_send_to(name.c_str(), "new", 3, 5, 0) == PMQ_OK;
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(attr.message_size, 64);
    EXPECT_EQ(attr.current_messages, 1);
    unsigned priority = 0;
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, &priority, 0), 3) << pmq_last_error();
    EXPECT_EQ(std::string(buf, 3), "new");
    EXPECT_EQ(priority, 5u);
    ASSERT_EQ(pmq_send_to(name.c_str(), "to-new", 6, 0, 0), PMQ_OK);
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 1);
}

TEST(NameCalls, UnlinkedNameIsNotFoundEvenAfterEarlierCalls)
{
    const std::string name = unique_queue_name("gone");
    ASSERT_EQ(create_queue(name, 2, 16), PMQ_OK);
    ASSERT_EQ(pmq_send_to(name.c_str(), "a", 1, 0, 0), PMQ_OK);
    char buf[16];
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 1);
    ASSERT_EQ(pmq_unlink(name.c_str()), PMQ_OK);
    EXPECT_EQ(pmq_send_to(name.c_str(), "a", 1, 0, 0), PMQ_ENOENT);
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK), PMQ_ENOENT);
}

} // namespace

namespace {

struct Notified {
    std::mutex lock;
    std::condition_variable changed;
    int count = 0;
    bool wait_for_one(std::chrono::milliseconds limit)
    {
        std::unique_lock<std::mutex> hold(lock);
        return changed.wait_for(hold, limit, [&] { return count > 0; });
    }
};

void note_notification(pmq_queue *, void *ctx)
{
    auto *n = static_cast<Notified *>(ctx);
    std::lock_guard<std::mutex> hold(n->lock);
    ++n->count;
    n->changed.notify_all();
}

// The kernel drops this process's registration when the process closes any
// descriptor of the queue.  A descriptor the name-based calls kept from
// before the registration, closed by the cache later (evicted by calls on
// other queues), must not cancel it: an open-use-close would have closed it
// before the registration.
TEST(NameCallsAndNotification, EarlierCallsDoNotCancelALaterRegistration)
{
    UnlinkGuard name(unique_queue_name("byname-notify"));
    ASSERT_EQ(create_queue(name.name(), 4, 16), PMQ_OK) << pmq_last_error();
    pmq_attr attr{};
    char buf[16];
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    ASSERT_EQ(pmq_send_to(name.c_str(), "a", 1, 0, 0), PMQ_OK);
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 1);

    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_WRITE, &q), PMQ_OK);
    Notified notified;
    ASSERT_EQ(pmq_notify(q, note_notification, &notified), PMQ_OK) << pmq_last_error();

    // More queues than the cache keeps: every earlier descriptor is evicted.
    std::vector<std::unique_ptr<UnlinkGuard>> others;
    for (int i = 0; i < 20; ++i) {
        others.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("byname-evict")));
        ASSERT_EQ(create_queue(others.back()->name(), 1, 16), PMQ_OK) << pmq_last_error();
        ASSERT_EQ(pmq_info(others.back()->c_str(), &attr), PMQ_OK);
    }
    ASSERT_EQ(pmq_send(q, "b", 1, 0), PMQ_OK);
    EXPECT_TRUE(notified.wait_for_one(std::chrono::seconds(5)))
        << "the registration was cancelled by a descriptor kept from before it";
    pmq_close(q);
}

// After the registration, a name-based call on the queue is the open-use-close
// it stands for: its close cancels the registration, at once (not at some
// later eviction), so the handle may register again.
TEST(NameCallsAndNotification, ALaterCallCancelsAsItsCloseWould)
{
    UnlinkGuard name(unique_queue_name("byname-notify-after"));
    ASSERT_EQ(create_queue(name.name(), 4, 16), PMQ_OK) << pmq_last_error();
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_WRITE, &q), PMQ_OK);
    Notified notified;
    ASSERT_EQ(pmq_notify(q, note_notification, &notified), PMQ_OK) << pmq_last_error();
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(pmq_notify(q, note_notification, &notified), PMQ_OK)
        << "still registered after the call: " << pmq_last_error();
    // And once the handle is closed the queue is cached again as before.
    ASSERT_EQ(pmq_close(q), PMQ_OK);
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK);
    EXPECT_EQ(notified.count, 0);
}

} // namespace
