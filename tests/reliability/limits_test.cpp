// Limits (suite "limits"); those that set /proc/sys/fs/mqueue/* need a
// private IPC namespace, the others also run on the host with unique names: queues_max reached, msg_max and msgsize_max exceeded,
// RLIMIT_MSGQUEUE and RLIMIT_NOFILE exhausted.  Each must be refused as
// PMQ_ELIMIT, with pmq_last_error() naming the limit and how to raise it, and
// leave no queue half-created.  Where the advice is a sysctl, the test follows
// it and checks that the same call then succeeds.
#include <pmq/pmq.h>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "private_ipc.hpp"
#include "test_support.hpp"

namespace {

using namespace pmq_test;

#define REQUIRE_PRIVATE_IPC()                                                              \
    do {                                                                                   \
        if (!in_private_ipc())                                                             \
            GTEST_SKIP() << "needs a private IPC namespace (run as root): it changes "     \
                            "/proc/sys/fs/mqueue";                                         \
    } while (0)

// Sets fs.mqueue.<key> for one test and puts the old value back afterwards.
class SysctlOverride {
public:
    SysctlOverride(std::string key, std::int64_t value)
        : key_(std::move(key)), old_(read_mqueue_sysctl(key_)), ok_(write_mqueue_sysctl(key_, value))
    {
    }
    SysctlOverride(const SysctlOverride &) = delete;
    SysctlOverride &operator=(const SysctlOverride &) = delete;
    ~SysctlOverride() { write_mqueue_sysctl(key_, old_); }
    bool ok() const { return ok_; }

private:
    std::string key_;
    std::int64_t old_;
    bool ok_;
};

// Lowers a resource's soft limit for one test and restores it afterwards.
class RlimitOverride {
public:
    RlimitOverride(int resource, rlim_t soft) : resource_(resource)
    {
        ok_ = ::getrlimit(resource_, &old_) == 0;
        struct rlimit lower = old_;
        lower.rlim_cur = soft;
        ok_ = ok_ && ::setrlimit(resource_, &lower) == 0;
    }
    RlimitOverride(const RlimitOverride &) = delete;
    RlimitOverride &operator=(const RlimitOverride &) = delete;
    ~RlimitOverride() { ::setrlimit(resource_, &old_); }
    bool ok() const { return ok_; }

private:
    int resource_;
    struct rlimit old_ {};
    bool ok_ = false;
};

// The value in "'sysctl fs.mqueue.<key>=VALUE'" inside an explanation, if any.
std::optional<std::int64_t> suggested_sysctl(const std::string &text, const std::string &key)
{
    const std::string advice = "'sysctl fs.mqueue." + key + "=";
    const std::size_t at = text.find(advice);
    if (at == std::string::npos)
        return std::nullopt;
    return std::strtoll(text.c_str() + at + advice.size(), nullptr, 10);
}

bool queue_exists(const std::string &name)
{
    pmq_queue *q = nullptr;
    const int rc = pmq_open(name.c_str(), PMQ_READ, &q);
    pmq_close(q);
    return rc != PMQ_ENOENT;
}

// Creates a queue of the given shape; returns the code and keeps the handle closed.
int create(const std::string &name, std::int64_t max_messages, std::int64_t message_size)
{
    pmq_queue *q = nullptr;
    const int rc = pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0, max_messages,
                              message_size, &q);
    pmq_close(q);
    return rc;
}

// Creating `name` must be refused as PMQ_ELIMIT with `expected` in the
// explanation and no queue left; then the test follows the explanation's
// 'sysctl fs.mqueue.<key>=N' advice, and the same creation must succeed.
void expect_refusal_then_advice_works(const std::string &name, std::int64_t max_messages,
                                      std::int64_t message_size, const std::string &expected,
                                      const std::string &key)
{
    ASSERT_EQ(create(name, max_messages, message_size), PMQ_ELIMIT);
    const std::string why = pmq_last_error();
    EXPECT_NE(why.find(expected), std::string::npos) << why;
    EXPECT_FALSE(queue_exists(name)) << "a refused queue was left behind";

    const auto advice = suggested_sysctl(why, key);
    ASSERT_TRUE(advice.has_value()) << "no sysctl to raise the limit in: " << why;
    EXPECT_GT(*advice, read_mqueue_sysctl(key)) << why;
    ASSERT_TRUE(write_mqueue_sysctl(key, *advice));
    EXPECT_EQ(create(name, max_messages, message_size), 0)
        << "following the advice did not help: " << pmq_last_error();
}

TEST(Limits, QueuesMaxReachedIsRefusedAndTheAdviceWorks)
{
    REQUIRE_PRIVATE_IPC();
    constexpr int allowed = 3;
    const SysctlOverride queues_max("queues_max", allowed);
    ASSERT_TRUE(queues_max.ok());
    std::vector<std::unique_ptr<UnlinkGuard>> queues;
    for (int i = 0; i < allowed; ++i) {
        queues.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("qmax")));
        ASSERT_EQ(create(queues.back()->name(), 1, 16), 0) << pmq_last_error();
    }
    const UnlinkGuard refused(unique_queue_name("qmax-refused"));
    expect_refusal_then_advice_works(refused.name(), 1, 16, "fs.mqueue.queues_max (3)",
                                     "queues_max");
}

TEST(Limits, MsgMaxExceededIsRefusedAndTheAdviceWorks)
{
    REQUIRE_PRIVATE_IPC();
    const SysctlOverride msg_max("msg_max", 20);
    ASSERT_TRUE(msg_max.ok());
    const UnlinkGuard queue(unique_queue_name("msgmax"));
    expect_refusal_then_advice_works(queue.name(), 21, 64,
                                     "max_messages 21 exceeds fs.mqueue.msg_max (20)", "msg_max");
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(queue.c_str(), &attr), 0) << pmq_last_error();
    EXPECT_EQ(attr.max_messages, 21);
}

TEST(Limits, MsgsizeMaxExceededIsRefusedAndTheAdviceWorks)
{
    REQUIRE_PRIVATE_IPC();
    const SysctlOverride msgsize_max("msgsize_max", 1024);
    ASSERT_TRUE(msgsize_max.ok());
    const UnlinkGuard queue(unique_queue_name("msgsizemax"));
    expect_refusal_then_advice_works(queue.name(), 2, 1025,
                                     "message_size 1025 exceeds fs.mqueue.msgsize_max (1024)",
                                     "msgsize_max");
}

TEST(Limits, KernelCeilingIsRefusedAsLimitWithoutFalseAdvice)
{
    const UnlinkGuard queue(unique_queue_name("ceiling"));
    ASSERT_EQ(create(queue.name(), 1 << 20, 64), PMQ_ELIMIT);
    const std::string why = pmq_last_error();
    EXPECT_NE(why.find("hard ceilings"), std::string::npos) << why;
    EXPECT_EQ(why.find("sysctl"), std::string::npos) << "advice no setting can follow: " << why;
    EXPECT_FALSE(queue_exists(queue.name()));
}

TEST(Limits, RlimitMsgqueueExhaustedIsRefused)
{
    const UnlinkGuard queue(unique_queue_name("rlimit-q"));
    // 10 messages of 1000 bytes need over 10 000 bytes: more than the whole
    // allowance, whatever this user's other queues already use.
    {
        const RlimitOverride limit(RLIMIT_MSGQUEUE, 4096);
        ASSERT_TRUE(limit.ok());
        ASSERT_EQ(create(queue.name(), 10, 1000), PMQ_ELIMIT);
        const std::string why = pmq_last_error();
        EXPECT_NE(why.find("RLIMIT_MSGQUEUE (4096 bytes"), std::string::npos) << why;
        EXPECT_NE(why.find("ulimit -q"), std::string::npos) << why;
        EXPECT_FALSE(queue_exists(queue.name())) << "a refused queue was left behind";
    }
    EXPECT_EQ(create(queue.name(), 10, 1000), 0) << "with the limit restored: "
                                                 << pmq_last_error();
}

// Opens descriptors until the process has none left; closes them on destruction.
class DescriptorHog {
public:
    DescriptorHog()
    {
        for (;;) {
            const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                break;
            fds_.push_back(fd);
        }
    }
    DescriptorHog(const DescriptorHog &) = delete;
    DescriptorHog &operator=(const DescriptorHog &) = delete;
    // Frees one descriptor: the next open gets it, the one after fails.
    void release_one()
    {
        if (!fds_.empty()) {
            ::close(fds_.back());
            fds_.pop_back();
        }
    }
    ~DescriptorHog()
    {
        for (const int fd : fds_)
            ::close(fd);
    }

private:
    std::vector<int> fds_;
};

TEST(Limits, RlimitNofileExhaustedIsRefusedByEveryCallThatOpens)
{
    const UnlinkGuard existing(unique_queue_name("nofile"));
    ASSERT_EQ(create(existing.name(), 2, 64), 0) << pmq_last_error();
    const UnlinkGuard fresh(unique_queue_name("nofile-new"));
    struct Refusal {
        const char *call;
        int rc;
        std::string why;
    };
    std::vector<Refusal> refusals;
    {
        const RlimitOverride limit(RLIMIT_NOFILE, 64);
        ASSERT_TRUE(limit.ok());
        const DescriptorHog hog;
        pmq_queue *q = nullptr;
        char buf[64];
        pmq_attr attr{};
        int rc = pmq_create(fresh.c_str(), PMQ_WRITE, 0, 2, 64, &q);
        refusals.push_back({"pmq_create", rc, pmq_last_error()});
        rc = pmq_open(existing.c_str(), PMQ_READ, &q);
        refusals.push_back({"pmq_open", rc, pmq_last_error()});
        rc = pmq_send_to(existing.c_str(), "x", 1, 0, PMQ_NONBLOCK);
        refusals.push_back({"pmq_send_to", rc, pmq_last_error()});
        rc = pmq_recv_from(existing.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK);
        refusals.push_back({"pmq_recv_from", rc, pmq_last_error()});
        rc = pmq_info(existing.c_str(), &attr);
        refusals.push_back({"pmq_info", rc, pmq_last_error()});
    }
    for (const Refusal &r : refusals) {
        EXPECT_EQ(r.rc, PMQ_ELIMIT) << r.call << ": " << pmq_err_name(r.rc) << ": " << r.why;
        EXPECT_NE(r.why.find("RLIMIT_NOFILE 64"), std::string::npos) << r.call << ": " << r.why;
        EXPECT_NE(r.why.find("ulimit -n"), std::string::npos) << r.call << ": " << r.why;
    }
    EXPECT_FALSE(queue_exists(fresh.name())) << "a refused queue was left behind";
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(existing.c_str(), &attr), 0) << pmq_last_error();
    EXPECT_EQ(attr.current_messages, 0) << "a refused send delivered a message";
}

// glibc's mq_notify(SIGEV_THREAD) sets up its helper once per process and
// never again after a failure: descriptors running out once broke callbacks
// for good.  The first failure must say which limit, and a registration made
// once descriptors are free again must work and fire.
struct Fired {
    std::mutex lock;
    std::condition_variable changed;
    int count = 0;
};

void count_notification(pmq_queue *, void *ctx)
{
    auto *fired = static_cast<Fired *>(ctx);
    std::lock_guard<std::mutex> hold(fired->lock);
    ++fired->count;
    fired->changed.notify_all();
}

TEST(Limits, NotificationWorksAgainAfterDescriptorsRanOut)
{
    const UnlinkGuard name(unique_queue_name("nofile-notify"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 64, &q), 0) << pmq_last_error();
    Fired fired;
    int refused = 0;
    std::string why;
    {
        const RlimitOverride limit(RLIMIT_NOFILE, 64);
        ASSERT_TRUE(limit.ok());
        const DescriptorHog hog;
        refused = pmq_notify(q, count_notification, &fired);
        why = pmq_last_error();
    }
    EXPECT_EQ(refused, PMQ_ELIMIT) << pmq_err_name(refused) << ": " << why;
    EXPECT_NE(why.find("RLIMIT_NOFILE 64"), std::string::npos) << why;
    EXPECT_NE(why.find("ulimit -n"), std::string::npos) << why;

    ASSERT_EQ(pmq_notify(q, count_notification, &fired), 0)
        << "with descriptors free again: " << pmq_last_error();
    ASSERT_EQ(pmq_send(q, "x", 1, 0), 0) << pmq_last_error();
    std::unique_lock<std::mutex> hold(fired.lock);
    EXPECT_TRUE(fired.changed.wait_for(hold, std::chrono::seconds(10),
                                       [&] { return fired.count == 1; }))
        << "the callback registered after the limit was lifted never ran";
    hold.unlock();
    EXPECT_EQ(pmq_close(q), 0);
}

int open_descriptor_count()
{
    int count = 0;
    for (int fd = 0; fd < 4096; ++fd)
        count += ::fcntl(fd, F_GETFD) != -1 ? 1 : 0;
    return count;
}

// What a handle must do on a queue of one 64-byte slot, twin or not: every
// outcome of the send/receive paths the twin changes.
std::string exercise(pmq_queue *q)
{
    std::string wrong;
    auto expect = [&](const char *what, int got, int want) {
        if (got != want)
            wrong += std::string(what) + ": " + pmq_err_name(got) + " (" + pmq_last_error() + "); ";
    };
    char buf[64];
    expect("send", pmq_send(q, "a", 1, 3), 0);
    expect("send to a full queue, timeout 0", pmq_send_timed(q, "b", 1, 0, 0), PMQ_EAGAIN);
    expect("send to a full queue, 20 ms", pmq_send_timed(q, "b", 1, 0, 20), PMQ_ETIMEDOUT);
    unsigned priority = 0;
    expect("receive", pmq_recv(q, buf, sizeof buf, &priority), 1);
    expect("its priority", static_cast<int>(priority), 3);
    expect("receive from an empty queue, timeout 0", pmq_recv_timed(q, buf, sizeof buf, nullptr, 0),
           PMQ_EAGAIN);
    expect("receive from an empty queue, 20 ms", pmq_recv_timed(q, buf, sizeof buf, nullptr, 20),
           PMQ_ETIMEDOUT);
    expect("interrupted, a receive that would wait", (pmq_interrupt(q), pmq_recv(q, buf, sizeof buf, nullptr)),
           PMQ_ECANCELED);
    expect("interrupted, a send that need not wait", pmq_send(q, "c", 1, 0), 0);
    expect("resume", pmq_resume(q), 0);
    expect("non-blocking", pmq_set_nonblocking(q, 1), 0);
    expect("non-blocking send to a full queue", pmq_send(q, "d", 1, 0), PMQ_EAGAIN);
    expect("non-blocking receive", pmq_recv(q, buf, sizeof buf, nullptr), 1);
    expect("non-blocking receive from an empty queue", pmq_recv(q, buf, sizeof buf, nullptr), PMQ_EAGAIN);
    expect("blocking again", pmq_set_nonblocking(q, 0), 0);
    expect("blocking receive from an empty queue, 20 ms", pmq_recv_timed(q, buf, sizeof buf, nullptr, 20),
           PMQ_ETIMEDOUT);
    return wrong;
}

// A handle holds a second, non-blocking descriptor for its first attempts
// (src/try_descriptor.hpp), released with it; with one descriptor left it
// is opened without that twin and behaves exactly the same.
TEST(Limits, AHandleWithoutItsNonblockingTwinBehavesTheSame)
{
    const UnlinkGuard name(unique_queue_name("twin"));
    ASSERT_EQ(create(name.name(), 1, 64), 0) << pmq_last_error();

    const int before = open_descriptor_count();
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_WRITE, &q), 0) << pmq_last_error();
    EXPECT_EQ(open_descriptor_count(), before + 2) << "the handle and its twin";
    EXPECT_EQ(exercise(q), "") << "with its twin";
    ASSERT_EQ(pmq_close(q), 0);
    EXPECT_EQ(open_descriptor_count(), before) << "pmq_close released both";

    pmq_queue *lone = nullptr;
    {
        const RlimitOverride limit(RLIMIT_NOFILE, 64);
        ASSERT_TRUE(limit.ok());
        DescriptorHog hog;
        hog.release_one();
        ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_WRITE, &lone), 0) << pmq_last_error();
        const int spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        EXPECT_LT(spare, 0) << "the handle should have taken the last descriptor, without a twin";
        if (spare >= 0)
            ::close(spare);
        EXPECT_EQ(exercise(lone), "") << "without its twin, no descriptor left";
    }
    EXPECT_EQ(exercise(lone), "") << "without its twin";
    EXPECT_EQ(pmq_close(lone), 0);
    EXPECT_EQ(open_descriptor_count(), before);
}

} // namespace
