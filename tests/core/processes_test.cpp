// Across processes: fork, another user, and system limits in a private IPC
// namespace (where /proc/sys/fs/mqueue may be changed without touching the host).
#include <pmq/pmq.h>

#include <grp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "child_process.hpp"
#include "test_support.hpp"

using pmq_test::can_enter_private_ipc_namespace;
using pmq_test::enter_private_ipc_namespace;
using pmq_test::run_in_child;
using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;
using pmq_test::write_proc;

namespace {

std::string expect_code(const char *what, int got, int want)
{
    if (got == want)
        return "";
    return std::string(what) + ": got " + pmq_err_name(got) + ", want " + pmq_err_name(want) +
           " (" + pmq_last_error() + ")";
}

std::string expect_explained(const char *fragment)
{
    if (std::strstr(pmq_last_error(), fragment) != nullptr)
        return "";
    return std::string("explanation lacks \"") + fragment + "\": " + pmq_last_error();
}

bool has_cap_sys_resource()
{
    // CapEff bit 24 (CAP_SYS_RESOURCE) from /proc/self/status, without libcap.
    FILE *f = std::fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;
    while (f && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "CapEff: %llx", &caps) == 1)
            break;
    if (f)
        std::fclose(f);
    return (caps >> 24) & 1;
}

TEST(Fork, ChildUsesTheInheritedHandleAndNames)
{
    UnlinkGuard name(unique_queue_name("fork"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 4, 32, &q), PMQ_OK);
    ASSERT_EQ(pmq_send_to(name.c_str(), "warm", 4, 0, 0), PMQ_OK);
    char buf[32];
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0), 4);
    const std::string verdict = run_in_child([&]() -> std::string {
        if (pmq_send(q, "from-child", 10, 3) != PMQ_OK)
            return std::string("child pmq_send: ") + pmq_last_error();
        if (pmq_send_to(name.c_str(), "by-name", 7, 1, 0) != PMQ_OK)
            return std::string("child pmq_send_to: ") + pmq_last_error();
        return "";
    });
    ASSERT_EQ(verdict, "");
    unsigned priority = 0;
    ASSERT_EQ(pmq_recv(q, buf, sizeof buf, &priority), 10);
    EXPECT_EQ(std::string(buf, 10), "from-child");
    EXPECT_EQ(priority, 3u);
    ASSERT_EQ(pmq_recv_from(name.c_str(), buf, sizeof buf, &priority, 0), 7);
    EXPECT_EQ(std::string(buf, 7), "by-name");
    pmq_close(q);
}

TEST(Permissions, AnotherUserIsDeniedAnOwnerOnlyQueue)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to switch to user 65534";
    UnlinkGuard name(unique_queue_name("private"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 16, &q), PMQ_OK);
    ASSERT_EQ(pmq_send(q, "secret", 6, 0), PMQ_OK);
    const std::string verdict = run_in_child([&]() -> std::string {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            return "could not become user 65534";
        pmq_queue *mine = nullptr;
        char buf[16];
        pmq_attr attr{};
        std::string v;
        v += expect_code("open for reading", pmq_open(name.c_str(), PMQ_READ, &mine), PMQ_EACCES);
        v += expect_explained("mode");
        v += expect_code("open for writing", pmq_open(name.c_str(), PMQ_WRITE, &mine), PMQ_EACCES);
        v += expect_code("create (existing)",
                         pmq_create(name.c_str(), PMQ_READ, 0, 0, 0, &mine), PMQ_EACCES);
        v += expect_code("recv_from", pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, 0),
                         PMQ_EACCES);
        v += expect_code("send_to", pmq_send_to(name.c_str(), "x", 1, 0, 0), PMQ_EACCES);
        v += expect_code("info", pmq_info(name.c_str(), &attr), PMQ_EACCES);
        v += expect_code("unlink", pmq_unlink(name.c_str()), PMQ_EACCES);
        v += expect_explained("owner");
        return v;
    });
    EXPECT_EQ(verdict, "");
    // The owner's queue is intact.
    char buf[16];
    EXPECT_EQ(pmq_recv_timed(q, buf, sizeof buf, nullptr, 0), 6);
    pmq_close(q);
}

TEST(Limits, MsgMaxAndMsgsizeMaxRefusalsNameTheSetting)
{
    if (!can_enter_private_ipc_namespace())
        GTEST_SKIP() << "needs a private IPC namespace, which only root may create here";
    if (has_cap_sys_resource())
        GTEST_SKIP() << "this process has CAP_SYS_RESOURCE, which bypasses msg_max";
    const std::string verdict = run_in_child([]() -> std::string {
        if (std::string e = enter_private_ipc_namespace(); !e.empty())
            return e;
        if (!write_proc("/proc/sys/fs/mqueue/msg_max", 4) ||
            !write_proc("/proc/sys/fs/mqueue/msgsize_max", 1024))
            return "cannot set fs.mqueue limits in the private namespace";
        pmq_queue *q = nullptr;
        pmq_attr attr{};
        std::string v;
        v += expect_code("5 messages", pmq_create("/deep", PMQ_READ, 0, 5, 16, &q), PMQ_ELIMIT);
        v += expect_explained("fs.mqueue.msg_max (4)");
        v += expect_explained("sysctl fs.mqueue.msg_max=5");
        v += expect_code("nothing created", pmq_info("/deep", &attr), PMQ_ENOENT);
        v += expect_code("2048 bytes", pmq_create("/wide", PMQ_READ, 0, 2, 2048, &q), PMQ_ELIMIT);
        v += expect_explained("fs.mqueue.msgsize_max (1024)");
        v += expect_code("within limits", pmq_create("/fits", PMQ_READ, 0, 4, 1024, &q), PMQ_OK);
        pmq_close(q);
        return v;
    });
    EXPECT_EQ(verdict, "");
}

TEST(Limits, QueuesMaxRefusalNamesTheSetting)
{
    if (!can_enter_private_ipc_namespace())
        GTEST_SKIP() << "needs a private IPC namespace, which only root may create here";
    if (has_cap_sys_resource())
        GTEST_SKIP() << "this process has CAP_SYS_RESOURCE, which bypasses queues_max";
    const std::string verdict = run_in_child([]() -> std::string {
        if (std::string e = enter_private_ipc_namespace(); !e.empty())
            return e;
        if (!write_proc("/proc/sys/fs/mqueue/queues_max", 1))
            return "cannot set fs.mqueue.queues_max in the private namespace";
        pmq_queue *a = nullptr, *b = nullptr;
        std::string v;
        v += expect_code("first", pmq_create("/first", PMQ_READ, 0, 1, 16, &a), PMQ_OK);
        v += expect_code("second", pmq_create("/second", PMQ_READ, 0, 1, 16, &b), PMQ_ELIMIT);
        v += expect_explained("fs.mqueue.queues_max (1)");
        pmq_close(a);
        return v;
    });
    EXPECT_EQ(verdict, "");
}

TEST(Limits, RlimitMsgqueueRefusalGivesTheBytesNeeded)
{
    if (!can_enter_private_ipc_namespace())
        GTEST_SKIP() << "needs a private IPC namespace, which only root may create here";
    const std::string verdict = run_in_child([]() -> std::string {
        if (std::string e = enter_private_ipc_namespace(); !e.empty())
            return e;
        const struct rlimit small = {4096, 4096};
        if (::setrlimit(RLIMIT_MSGQUEUE, &small) != 0)
            return "setrlimit(RLIMIT_MSGQUEUE) failed";
        pmq_queue *q = nullptr;
        pmq_attr attr{};
        std::string v;
        v += expect_code("10 x 1000 bytes", pmq_create("/big", PMQ_READ, 0, 10, 1000, &q),
                         PMQ_ELIMIT);
        v += expect_explained("RLIMIT_MSGQUEUE (4096 bytes");
        v += expect_explained("needs about 10960 bytes");
        v += expect_explained("ulimit -q");
        v += expect_code("nothing created", pmq_info("/big", &attr), PMQ_ENOENT);
        return v;
    });
    EXPECT_EQ(verdict, "");
}

TEST(Limits, OpenFileLimitIsNamed)
{
    UnlinkGuard name(unique_queue_name("nofile"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, 16, &q), PMQ_OK);
    pmq_close(q);
    const std::string verdict = run_in_child([&]() -> std::string {
        const struct rlimit none = {0, 0};
        if (::setrlimit(RLIMIT_NOFILE, &none) != 0)
            return "setrlimit(RLIMIT_NOFILE) failed";
        pmq_queue *mine = nullptr;
        std::string v;
        v += expect_code("open", pmq_open(name.c_str(), PMQ_READ, &mine), PMQ_ELIMIT);
        v += expect_explained("RLIMIT_NOFILE");
        return v;
    });
    EXPECT_EQ(verdict, "");
}

TEST(Limits, ZeroSizeMeansTheKernelsDefaultCappedByTheMaximum)
{
    const std::string verdict = run_in_child([]() -> std::string {
        if (std::string e = enter_private_ipc_namespace(); !e.empty())
            return e;
        if (!write_proc("/proc/sys/fs/mqueue/msg_max", 10) ||
            !write_proc("/proc/sys/fs/mqueue/msg_default", 20))
            return "cannot set fs.mqueue limits in the private namespace";
        pmq_queue *q = nullptr;
        std::string v = expect_code("default depth", pmq_create("/d", PMQ_READ, 0, 0, 100, &q),
                                    PMQ_OK);
        pmq_attr attr{};
        if (v.empty() && (pmq_getattr(q, &attr) != PMQ_OK || attr.max_messages != 10))
            v += "max_messages " + std::to_string(attr.max_messages) + ", want 10";
        pmq_close(q);
        return v;
    });
    EXPECT_EQ(verdict, "");
}

// The name-based calls' cache may hold a queue another process unlinked; it
// must not make a later create fail on a limit the queue would not hold
// without the cache.
TEST(Limits, CachedDescriptorsOfUnlinkedQueuesDoNotHoldLimits)
{
    const std::string verdict = run_in_child([]() -> std::string {
        if (std::string e = enter_private_ipc_namespace(); !e.empty())
            return e;
        if (!write_proc("/proc/sys/fs/mqueue/queues_max", 1))
            return "cannot set fs.mqueue.queues_max in the private namespace";
        pmq_queue *q = nullptr;
        std::string v = expect_code("first", pmq_create("/first", PMQ_WRITE, 0, 1, 16, &q),
                                    PMQ_OK);
        pmq_close(q);
        v += expect_code("send_to", pmq_send_to("/first", "x", 1, 0, 0), PMQ_OK);
        v += run_in_child([] {
            return pmq_unlink("/first") == PMQ_OK ? std::string() : "unlink in grandchild";
        });
        v += expect_code("second", pmq_create("/second", PMQ_WRITE, 0, 1, 16, &q), PMQ_OK);
        pmq_close(q);
        return v;
    });
    EXPECT_EQ(verdict, "");
}

} // namespace
