// pmq_create, pmq_open, pmq_close, pmq_unlink, pmq_getattr,
// pmq_set_nonblocking, pmq_fd, pmq_name: success and every error path.
#include <pmq/pmq.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;

namespace {

bool queue_exists(const std::string &name)
{
    pmq_attr attr{};
    return pmq_info(name.c_str(), &attr) == PMQ_OK;
}

bool explained(const char *fragment)
{
    return std::strstr(pmq_last_error(), fragment) != nullptr;
}

TEST(Create, MakesAQueueWithTheRequestedAttributes)
{
    UnlinkGuard name(unique_queue_name("create"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 5, 128, &q), PMQ_OK)
        << pmq_last_error();
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 5);
    EXPECT_EQ(attr.message_size, 128);
    EXPECT_EQ(attr.current_messages, 0);
    EXPECT_EQ(attr.flags, 0u);
    EXPECT_EQ(attr.reserved, 0u);
    EXPECT_STREQ(pmq_name(q), name.c_str());
    EXPECT_EQ(pmq_close(q), PMQ_OK);
}

TEST(Create, ZeroMeansTheSystemDefaultForEachField)
{
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), PMQ_OK);
    UnlinkGuard both(unique_queue_name("defaults"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(both.c_str(), PMQ_WRITE, 0, 0, 0, &q), PMQ_OK) << pmq_last_error();
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, limits.msg_default);
    EXPECT_EQ(attr.message_size, limits.msgsize_default);
    pmq_close(q);

    UnlinkGuard one(unique_queue_name("default-size"));
    ASSERT_EQ(pmq_create(one.c_str(), PMQ_WRITE, 0, 3, 0, &q), PMQ_OK) << pmq_last_error();
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 3);
    EXPECT_EQ(attr.message_size, limits.msgsize_default);
    pmq_close(q);
}

TEST(Create, DefaultModeIsOwnerOnlyAndModeIsHonoured)
{
    const mode_t old_umask = ::umask(0);
    UnlinkGuard private_q(unique_queue_name("mode0"));
    UnlinkGuard shared_q(unique_queue_name("mode660"));
    pmq_queue *a = nullptr, *b = nullptr;
    ASSERT_EQ(pmq_create(private_q.c_str(), PMQ_WRITE, 0, 1, 16, &a), PMQ_OK);
    ASSERT_EQ(pmq_create(shared_q.c_str(), PMQ_WRITE, 0660, 1, 16, &b), PMQ_OK);
    struct stat st {};
    ASSERT_EQ(::fstat(pmq_fd(a), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::fstat(pmq_fd(b), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    pmq_close(a);
    pmq_close(b);
    ::umask(old_umask);
}

TEST(Create, ExistingQueueKeepsItsAttributesAndMessages)
{
    UnlinkGuard name(unique_queue_name("existing"));
    pmq_queue *first = nullptr, *second = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 4, 64, &first), PMQ_OK);
    ASSERT_EQ(pmq_send(first, "kept", 4, 1), PMQ_OK);
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 8, 512, &second), PMQ_OK);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(second, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 4);
    EXPECT_EQ(attr.message_size, 64);
    EXPECT_EQ(attr.current_messages, 1);
    pmq_close(first);
    pmq_close(second);
}

TEST(Create, ExclusiveFailsWhenTheQueueExists)
{
    UnlinkGuard name(unique_queue_name("excl"));
    pmq_queue *q = nullptr, *again = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_WRITE | PMQ_EXCL, 0, 1, 16, &q), PMQ_OK);
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_WRITE | PMQ_EXCL, 0, 1, 16, &again), PMQ_EEXIST);
    EXPECT_TRUE(explained("already exists")) << pmq_last_error();
    EXPECT_EQ(again, nullptr);
    pmq_close(q);
}

TEST(Create, NonblockingFlagMakesANonblockingHandle)
{
    UnlinkGuard name(unique_queue_name("nb"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_NONBLOCK, 0, 1, 16, &q), PMQ_OK);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.flags, PMQ_NONBLOCK);
    pmq_close(q);
}

TEST(Create, BadArgumentsAreRefusedAndCreateNothing)
{
    const std::string name = unique_queue_name("bad");
    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_create(name.c_str(), 0, 0, 1, 16, &q), PMQ_EINVAL);
    EXPECT_TRUE(explained("no direction")) << pmq_last_error();
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ | 0x100u, 0, 1, 16, &q), PMQ_EINVAL);
    EXPECT_TRUE(explained("0x100")) << pmq_last_error();
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 01777, 1, 16, &q), PMQ_EINVAL);
    EXPECT_TRUE(explained("mode")) << pmq_last_error();
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, -1, 16, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, -5, &q), PMQ_EINVAL);
    EXPECT_TRUE(explained("must be positive")) << pmq_last_error();
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, 16, nullptr), PMQ_EINVAL);
    EXPECT_TRUE(explained("NULL")) << pmq_last_error();
    EXPECT_EQ(q, nullptr);
    EXPECT_FALSE(queue_exists(name));
}

TEST(Create, LimitsAreRefusedAsElimitWithTheLimitNamed)
{
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), PMQ_OK);
    const std::string name = unique_queue_name("limit");
    pmq_queue *q = nullptr;
    // Beyond the kernel's hard ceiling: refused whatever the capabilities.
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, 64 * 1024 * 1024, &q), PMQ_ELIMIT);
    EXPECT_TRUE(explained("hard ceilings")) << pmq_last_error();
    // Beyond what a 32-bit long holds: refused, never truncated.
    EXPECT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, (int64_t{1} << 32) + 5, 16, &q), PMQ_ELIMIT);
    EXPECT_EQ(q, nullptr);
    EXPECT_FALSE(queue_exists(name));
}

TEST(Names, InvalidNamesAreRefusedBeforeAnySystemCall)
{
    const std::string too_long = "/" + std::string(256, 'x');
    const std::string longest = "/" + std::string(255, 'x');
    const char *bad[] = {"", "/", "noslash", "/a/b", "/../x", "/.", "/..", too_long.c_str()};
    for (const char *name : bad) {
        pmq_queue *q = nullptr;
        EXPECT_EQ(pmq_create(name, PMQ_READ | PMQ_WRITE, 0, 1, 16, &q), PMQ_ENAME) << name;
        EXPECT_NE(pmq_last_error()[0], '\0');
        EXPECT_EQ(pmq_open(name, PMQ_READ, &q), PMQ_ENAME) << name;
        EXPECT_EQ(pmq_unlink(name), PMQ_ENAME) << name;
        EXPECT_EQ(q, nullptr);
    }
    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_create(nullptr, PMQ_READ, 0, 1, 16, &q), PMQ_ENAME);
    EXPECT_TRUE(explained("NULL")) << pmq_last_error();
    EXPECT_EQ(pmq_open(nullptr, PMQ_READ, &q), PMQ_ENAME);
    EXPECT_EQ(pmq_unlink(nullptr), PMQ_ENAME);

    // The longest valid name works.
    UnlinkGuard guard(longest);
    ASSERT_EQ(pmq_create(longest.c_str(), PMQ_READ, 0, 1, 16, &q), PMQ_OK) << pmq_last_error();
    pmq_close(q);
}

TEST(Open, OpensAnExistingQueueOnly)
{
    UnlinkGuard name(unique_queue_name("open"));
    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_open(name.c_str(), PMQ_READ, &q), PMQ_ENOENT);
    EXPECT_TRUE(explained("no queue has this name")) << pmq_last_error();
    EXPECT_FALSE(queue_exists(name.name()));

    pmq_queue *creator = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_WRITE, 0, 2, 32, &creator), PMQ_OK);
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_NONBLOCK, &q), PMQ_OK);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 2);
    EXPECT_EQ(attr.flags, PMQ_NONBLOCK);
    pmq_close(q);
    pmq_close(creator);
}

TEST(Open, RefusesBadFlags)
{
    UnlinkGuard name(unique_queue_name("openflags"));
    pmq_queue *creator = nullptr, *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_WRITE, 0, 1, 16, &creator), PMQ_OK);
    EXPECT_EQ(pmq_open(name.c_str(), PMQ_READ | PMQ_EXCL, &q), PMQ_EINVAL);
    EXPECT_TRUE(explained("PMQ_EXCL")) << pmq_last_error();
    EXPECT_EQ(pmq_open(name.c_str(), 0, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_open(name.c_str(), 0x80u | PMQ_READ, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_open(name.c_str(), PMQ_READ, nullptr), PMQ_EINVAL);
    EXPECT_EQ(q, nullptr);
    pmq_close(creator);
}

TEST(Close, NullIsANoOp)
{
    EXPECT_EQ(pmq_close(nullptr), PMQ_OK);
}

TEST(Unlink, RemovesTheNameButOpenHandlesStillWork)
{
    const std::string name = unique_queue_name("unlink");
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 16, &q), PMQ_OK);
    ASSERT_EQ(pmq_unlink(name.c_str()), PMQ_OK);
    EXPECT_FALSE(queue_exists(name));
    EXPECT_EQ(pmq_unlink(name.c_str()), PMQ_ENOENT);
    EXPECT_TRUE(explained("unlinked already")) << pmq_last_error();
    ASSERT_EQ(pmq_send(q, "x", 1, 0), PMQ_OK);
    char buf[16];
    EXPECT_EQ(pmq_recv(q, buf, sizeof buf, nullptr), 1);
    pmq_close(q);
}

TEST(Handle, NonblockingCanBeToggled)
{
    UnlinkGuard name(unique_queue_name("toggle"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, 16, &q), PMQ_OK);
    pmq_attr attr{};
    ASSERT_EQ(pmq_set_nonblocking(q, 1), PMQ_OK);
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.flags, PMQ_NONBLOCK);
    char buf[16];
    EXPECT_EQ(pmq_recv(q, buf, sizeof buf, nullptr), PMQ_EAGAIN);
    ASSERT_EQ(pmq_set_nonblocking(q, 0), PMQ_OK);
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.flags, 0u);
    pmq_close(q);
}

TEST(Handle, DescriptorIsCloseOnExecAndPollable)
{
    UnlinkGuard name(unique_queue_name("fd"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 1, 16, &q), PMQ_OK);
    const int fd = pmq_fd(q);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);

    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    ASSERT_EQ(::poll(&p, 1, 0), 1);
    EXPECT_FALSE(p.revents & POLLIN) << "empty queue must not be readable";
    EXPECT_TRUE(p.revents & POLLOUT);
    ASSERT_EQ(pmq_send(q, "m", 1, 0), PMQ_OK);
    ASSERT_EQ(::poll(&p, 1, 0), 1);
    EXPECT_TRUE(p.revents & POLLIN);
    EXPECT_FALSE(p.revents & POLLOUT) << "full queue must not be writable";
    pmq_close(q);
}

TEST(Handle, NullHandlesAreRefused)
{
    pmq_attr attr{};
    char buf[8];
    EXPECT_EQ(pmq_getattr(nullptr, &attr), PMQ_EINVAL);
    EXPECT_TRUE(explained("NULL")) << pmq_last_error();
    EXPECT_EQ(pmq_set_nonblocking(nullptr, 1), PMQ_EINVAL);
    EXPECT_EQ(pmq_fd(nullptr), PMQ_EINVAL);
    EXPECT_EQ(pmq_name(nullptr), nullptr);
    EXPECT_EQ(pmq_send(nullptr, "x", 1, 0), PMQ_EINVAL);
    EXPECT_EQ(pmq_send_timed(nullptr, "x", 1, 0, 10), PMQ_EINVAL);
    EXPECT_EQ(pmq_recv(nullptr, buf, sizeof buf, nullptr), PMQ_EINVAL);
    EXPECT_EQ(pmq_recv_timed(nullptr, buf, sizeof buf, nullptr, 10), PMQ_EINVAL);
    EXPECT_EQ(pmq_notify(nullptr, nullptr, nullptr), PMQ_EINVAL);
    EXPECT_EQ(pmq_notify_signal(nullptr, 0), PMQ_EINVAL);

    UnlinkGuard name(unique_queue_name("nullattr"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 1, 16, &q), PMQ_OK);
    EXPECT_EQ(pmq_getattr(q, nullptr), PMQ_EINVAL);
    pmq_close(q);
}

} // namespace
