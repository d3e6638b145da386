// The name-based calls keep descriptors open between calls (the descriptor
// cache); these tests prove that they still behave as if they opened, used
// and closed the queue on every call, through the public API only.
#include <pmq/pmq.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <mqueue.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;

constexpr int cache_capacity = 16; // descriptor_cache_capacity in src/descriptor_cache.hpp
constexpr std::int64_t message_size = 64;

int open_descriptor_count()
{
    int count = 0;
    DIR *dir = ::opendir("/proc/self/fd");
    if (dir == nullptr)
        return -1;
    while (const dirent *entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
            ++count;
    ::closedir(dir);
    return count;
}

void create(const char *name, std::int64_t size = message_size, std::int64_t depth = 4,
            unsigned mode = 0600)
{
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, mode, depth, size, &q), 0)
        << pmq_last_error();
    pmq_close(q);
}

std::string receive_from(const char *name, unsigned flags = 0)
{
    char buf[512];
    const int n = pmq_recv_from(name, buf, sizeof buf, nullptr, flags);
    if (n < 0)
        return std::string("error ") + pmq_err_name(n) + ": " + pmq_last_error();
    return std::string(buf, static_cast<std::size_t>(n));
}

int send_to(const char *name, const std::string &text, unsigned flags = 0)
{
    return pmq_send_to(name, text.data(), text.size(), 0, flags);
}

// Runs `body` in a child process; returns the child's exit status (0 = passed).
template <class Body>
int in_child_process(Body body)
{
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(body());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits (at most 5 s) until thread `tid` sleeps, i.e. is blocked in a call.
void wait_until_blocked(pid_t tid)
{
    const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
    for (int i = 0; i < 500; ++i) {
        std::ifstream stat(path);
        std::string line;
        std::getline(stat, line);
        const auto close = line.rfind(')');
        if (close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'S')
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

// Name-based calls on `count` fresh queues, enough to evict every idle entry.
class QueueSet {
public:
    explicit QueueSet(int count)
    {
        for (int i = 0; i < count; ++i) {
            guards_.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("set")));
            create(guards_.back()->c_str());
        }
    }
    void use_each()
    {
        for (const auto &g : guards_) {
            EXPECT_EQ(send_to(g->c_str(), "evict"), 0) << pmq_last_error();
            EXPECT_EQ(receive_from(g->c_str()), "evict");
        }
    }

private:
    std::vector<std::unique_ptr<UnlinkGuard>> guards_;
};

TEST(DescriptorCache, QueueRecreatedByAnotherProcessIsTheOneUsed)
{
    const UnlinkGuard name(unique_queue_name("recreate"));
    create(name.c_str(), 32);
    ASSERT_EQ(send_to(name.c_str(), "old"), 0) << pmq_last_error(); // caches a descriptor
    ASSERT_EQ(receive_from(name.c_str()), "old");

    // Another process replaces the queue behind this one's back (raw calls, no libpmq).
    ASSERT_EQ(in_child_process([&] {
                  struct mq_attr attr {};
                  attr.mq_maxmsg = 4;
                  attr.mq_msgsize = 128;
                  if (::mq_unlink(name.c_str()) != 0)
                      return 1;
                  const mqd_t fd = ::mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
                  return fd == static_cast<mqd_t>(-1) ? 2 : 0;
              }),
              0);

    // 100 bytes fit only the new queue (message_size 128, the old one had 32).
    const std::string long_message(100, 'n');
    ASSERT_EQ(send_to(name.c_str(), long_message), 0) << pmq_last_error();
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), 0) << pmq_last_error();
    EXPECT_EQ(attr.message_size, 128);
    EXPECT_EQ(attr.current_messages, 1);
    EXPECT_EQ(receive_from(name.c_str()), long_message);
}

TEST(DescriptorCache, QueueUnlinkedByAnotherProcessIsGone)
{
    const UnlinkGuard name(unique_queue_name("gone"));
    create(name.c_str());
    ASSERT_EQ(send_to(name.c_str(), "warm"), 0) << pmq_last_error();
    ASSERT_EQ(receive_from(name.c_str()), "warm");
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), 0);

    ASSERT_EQ(in_child_process([&] { return ::mq_unlink(name.c_str()) == 0 ? 0 : 1; }), 0);

    EXPECT_EQ(send_to(name.c_str(), "lost"), PMQ_ENOENT);
    EXPECT_NE(std::strstr(pmq_last_error(), name.c_str()), nullptr) << pmq_last_error();
    char buf[message_size];
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK), PMQ_ENOENT);
    EXPECT_EQ(pmq_info(name.c_str(), &attr), PMQ_ENOENT);
}

TEST(DescriptorCache, UnlinkInThisProcessClosesCachedDescriptorsAndBoundHolds)
{
    QueueSet first(2 * cache_capacity);
    first.use_each(); // the cache is now full of these
    const int full = open_descriptor_count();

    const UnlinkGuard probe(unique_queue_name("bound"));
    std::vector<std::unique_ptr<UnlinkGuard>> second;
    for (int i = 0; i < cache_capacity; ++i) {
        second.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("bound")));
        create(second.back()->c_str());
        ASSERT_EQ(send_to(second.back()->c_str(), "x"), 0) << pmq_last_error();
        ASSERT_EQ(receive_from(second.back()->c_str()), "x");
    }
    // Each of these evicted one of the first set: no more descriptors than before.
    EXPECT_EQ(open_descriptor_count(), full);

    second.clear(); // pmq_unlink of each closes its cached descriptors at once
    EXPECT_EQ(open_descriptor_count(), full - cache_capacity);
}

TEST(DescriptorCache, NonblockingFlagOnEmptyAndFullQueues)
{
    const UnlinkGuard name(unique_queue_name("nonblock"));
    create(name.c_str(), message_size, 2);
    char buf[message_size];
    EXPECT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "empty and PMQ_NONBLOCK"), nullptr)
        << pmq_last_error();
    ASSERT_EQ(send_to(name.c_str(), "1", PMQ_NONBLOCK), 0);
    ASSERT_EQ(send_to(name.c_str(), "2", PMQ_NONBLOCK), 0);
    EXPECT_EQ(send_to(name.c_str(), "3", PMQ_NONBLOCK), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "full and PMQ_NONBLOCK"), nullptr)
        << pmq_last_error();
    EXPECT_EQ(receive_from(name.c_str(), PMQ_NONBLOCK), "1");
    EXPECT_EQ(send_to(name.c_str(), "x", PMQ_READ), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "only flag allowed"), nullptr) << pmq_last_error();
}

TEST(DescriptorCache, ForkedChildUsesTheCacheWhileParentThreadHoldsADescriptor)
{
    const UnlinkGuard shared(unique_queue_name("fork"));
    const UnlinkGuard blocked(unique_queue_name("fork-blocked"));
    create(shared.c_str());
    create(blocked.c_str());
    ASSERT_EQ(send_to(shared.c_str(), "warm"), 0);
    ASSERT_EQ(receive_from(shared.c_str()), "warm");

    // A thread holds a cached descriptor, blocked in a receive, while we fork.
    std::atomic<pid_t> tid{0};
    std::string got;
    std::thread receiver([&] {
        tid = ::gettid();
        got = receive_from(blocked.c_str());
    });
    while (tid == 0)
        std::this_thread::yield();
    wait_until_blocked(tid);

    const int child = in_child_process([&] {
        for (int i = 0; i < 20; ++i) {
            const std::string text = "child " + std::to_string(i);
            if (send_to(shared.c_str(), text) != 0 || receive_from(shared.c_str()) != text)
                return 1;
        }
        QueueSet others(2 * cache_capacity); // evicts everything, the blocked entry included
        others.use_each();
        if (::testing::Test::HasFailure())
            return 2;
        return send_to(shared.c_str(), "bye") == 0 ? 0 : 3;
    });
    EXPECT_EQ(child, 0);
    EXPECT_EQ(receive_from(shared.c_str()), "bye");

    ASSERT_EQ(send_to(blocked.c_str(), "release"), 0) << pmq_last_error();
    receiver.join();
    EXPECT_EQ(got, "release");
}

TEST(DescriptorCache, ForkWhileOtherThreadsUseTheCache)
{
    // A child forked while another thread holds the cache's lock would hang
    // on it without the fork handlers; alarm() turns a hang into a failure.
    constexpr int busy_threads = 3;
    constexpr int forks = 100;
    std::vector<std::unique_ptr<UnlinkGuard>> names;
    for (int i = 0; i <= busy_threads; ++i) {
        names.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("forking")));
        create(names.back()->c_str());
    }
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> busy;
    for (int t = 0; t < busy_threads; ++t)
        busy.emplace_back([&, t] {
            const char *name = names[t]->c_str();
            while (!stop)
                if (send_to(name, "busy") != 0 || receive_from(name) != "busy")
                    ++failures;
        });
    const char *child_queue = names[busy_threads]->c_str();
    for (int i = 0; i < forks; ++i) {
        const int status = in_child_process([&] {
            ::alarm(10);
            return send_to(child_queue, "child") == 0 && receive_from(child_queue) == "child"
                       ? 0
                       : 1;
        });
        if (status != 0) {
            ADD_FAILURE() << "child " << i << " failed with " << status
                          << " (128 + 14 = SIGALRM: it hung)";
            break;
        }
    }
    stop = true;
    for (auto &b : busy)
        b.join();
    EXPECT_EQ(failures, 0);
}

TEST(DescriptorCache, BlockedReceiverKeepsItsDescriptorThroughEviction)
{
    const UnlinkGuard name(unique_queue_name("held"));
    create(name.c_str());
    std::atomic<pid_t> tid{0};
    std::string got;
    std::thread receiver([&] {
        tid = ::gettid();
        got = receive_from(name.c_str());
    });
    while (tid == 0)
        std::this_thread::yield();
    wait_until_blocked(tid);

    QueueSet others(2 * cache_capacity);
    others.use_each();
    ASSERT_EQ(send_to(name.c_str(), "still there"), 0) << pmq_last_error();
    receiver.join();
    EXPECT_EQ(got, "still there");
}

TEST(DescriptorCache, CancelledReceiverGivesItsDescriptorBack)
{
    const UnlinkGuard name(unique_queue_name("cancel"));
    create(name.c_str());
    ASSERT_EQ(send_to(name.c_str(), "warm"), 0); // the receive descriptor is opened below
    ASSERT_EQ(receive_from(name.c_str()), "warm");
    const int before = open_descriptor_count();

    // A raw pthread, since std::thread cannot be cancelled.
    struct Receiver {
        std::atomic<pid_t> tid{0};
        const char *name;
    } receiver{{}, name.c_str()};
    pthread_t thread;
    ASSERT_EQ(::pthread_create(
                  &thread, nullptr,
                  [](void *arg) -> void * {
                      auto *self = static_cast<Receiver *>(arg);
                      self->tid = ::gettid();
                      char buf[message_size];
                      pmq_recv_from(self->name, buf, sizeof buf, nullptr, 0);
                      return nullptr;
                  },
                  &receiver),
              0);
    while (receiver.tid == 0)
        std::this_thread::yield();
    wait_until_blocked(receiver.tid);
    ASSERT_EQ(::pthread_cancel(thread), 0);
    void *result = nullptr;
    ASSERT_EQ(::pthread_join(thread, &result), 0);
    EXPECT_EQ(result, PTHREAD_CANCELED);

    // Unlinking closes both cached descriptors only if the cancelled call gave its lease back.
    ASSERT_EQ(pmq_unlink(name.c_str()), 0);
    EXPECT_EQ(open_descriptor_count(), before - 2);
}

TEST(DescriptorCache, ManyThreadsOnMoreQueuesThanItHolds)
{
    constexpr int threads = 8;
    constexpr int queues_per_thread = 3; // 24 queues for 16 entries: constant eviction
    constexpr int rounds = 300;
    std::vector<std::unique_ptr<UnlinkGuard>> names;
    for (int i = 0; i < threads * queues_per_thread; ++i) {
        names.push_back(std::make_unique<UnlinkGuard>(unique_queue_name("threads")));
        create(names.back()->c_str());
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < rounds; ++i) {
                const char *name = names[t * queues_per_thread + i % queues_per_thread]->c_str();
                const std::string text = std::to_string(t) + "/" + std::to_string(i);
                if (send_to(name, text) != 0 || receive_from(name) != text)
                    ++failures;
                pmq_attr attr{};
                if (pmq_info(name, &attr) != 0 || attr.current_messages != 0)
                    ++failures;
            }
        });
    for (auto &w : workers)
        w.join();
    EXPECT_EQ(failures, 0);
}

TEST(DescriptorCache, PermissionChangeIsSeenOnTheNextCall)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to switch to an unprivileged user (uid 65534)";
    const UnlinkGuard name(unique_queue_name("perm"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0622, 4, message_size, &q),
              0)
        << pmq_last_error();
    ASSERT_EQ(::fchmod(pmq_fd(q), 0622), 0); // undo the umask: others may send

    int to_child[2], to_parent[2];
    ASSERT_EQ(::pipe(to_child), 0);
    ASSERT_EQ(::pipe(to_parent), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The unprivileged sender: one pmq_send_to per byte read, each result written back.
        ::close(to_child[1]);
        ::close(to_parent[0]);
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(1);
        char command;
        while (::read(to_child[0], &command, 1) == 1) {
            const int rc = send_to(name.c_str(), "p");
            if (::write(to_parent[1], &rc, sizeof rc) != sizeof rc)
                ::_exit(2);
        }
        ::_exit(0);
    }
    auto child_send = [&] {
        int rc = 1;
        EXPECT_EQ(::write(to_child[1], "s", 1), 1);
        EXPECT_EQ(::read(to_parent[0], &rc, sizeof rc), static_cast<ssize_t>(sizeof rc));
        return rc;
    };
    EXPECT_EQ(child_send(), 0);            // opens and caches a write descriptor
    EXPECT_EQ(child_send(), 0);            // uses it
    ASSERT_EQ(::fchmod(pmq_fd(q), 0600), 0);
    EXPECT_EQ(child_send(), PMQ_EACCES);   // the cached descriptor must not outlive the change
    ASSERT_EQ(::fchmod(pmq_fd(q), 0622), 0);
    EXPECT_EQ(child_send(), 0);

    ::close(to_child[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ::close(to_child[0]);
    ::close(to_parent[0]);
    ::close(to_parent[1]);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), 0);
    EXPECT_EQ(attr.current_messages, 3);
    pmq_close(q);
}

} // namespace
