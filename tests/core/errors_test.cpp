// The error table, pmq_last_error, versions, limits and pmq_supported.
#include <pmq/pmq.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace {

struct Code {
    int value;
    const char *name;
};

const Code all_codes[] = {
#define PMQ_TEST_CODE_(name, value, text) {value, "PMQ_" #name},
    PMQ_ERRNO_MAP(PMQ_TEST_CODE_)
#undef PMQ_TEST_CODE_
};

TEST(Errors, CodesHaveTheirFixedValues)
{
    EXPECT_EQ(PMQ_OK, 0);
    EXPECT_EQ(PMQ_EINVAL, -1);
    EXPECT_EQ(PMQ_ENAME, -2);
    EXPECT_EQ(PMQ_ENOENT, -3);
    EXPECT_EQ(PMQ_EEXIST, -4);
    EXPECT_EQ(PMQ_EACCES, -5);
    EXPECT_EQ(PMQ_EAGAIN, -6);
    EXPECT_EQ(PMQ_ETIMEDOUT, -7);
    EXPECT_EQ(PMQ_EINTR, -8);
    EXPECT_EQ(PMQ_EMSGSIZE, -9);
    EXPECT_EQ(PMQ_EBADF, -10);
    EXPECT_EQ(PMQ_ELIMIT, -11);
    EXPECT_EQ(PMQ_EBUSY, -12);
    EXPECT_EQ(PMQ_ENOMEM, -13);
    EXPECT_EQ(PMQ_ENOTSUP, -14);
    EXPECT_EQ(PMQ_ESYS, -15);
    EXPECT_EQ(PMQ_ECANCELED, -16); // 1.1
    EXPECT_EQ(sizeof all_codes / sizeof all_codes[0], 17u);
}

TEST(Errors, EveryCodeHasANameAndADistinctText)
{
    std::set<std::string> texts;
    for (const Code &c : all_codes) {
        EXPECT_STREQ(pmq_err_name(c.value), c.name);
        const char *text = pmq_strerror(c.value);
        ASSERT_NE(text, nullptr);
        EXPECT_GT(std::strlen(text), 3u);
        texts.insert(text);
    }
    EXPECT_EQ(texts.size(), 17u);
    EXPECT_STREQ(pmq_err_name(-999), "PMQ_UNKNOWN");
    EXPECT_STREQ(pmq_err_name(1), "PMQ_UNKNOWN");
    EXPECT_STREQ(pmq_strerror(-999), "unknown libpmq error code");
}

TEST(Errors, LastErrorBelongsToTheThreadAndSurvivesSuccess)
{
    std::string in_thread = "unset";
    std::thread([&] { in_thread = pmq_last_error(); }).join();
    EXPECT_EQ(in_thread, "") << "a thread that never failed has no explanation";

    EXPECT_EQ(pmq_unlink("no-slash"), PMQ_ENAME);
    const std::string explanation = pmq_last_error();
    EXPECT_NE(explanation.find("must start with '/'"), std::string::npos) << explanation;
    std::thread([] { pmq_unlink(""); }).join();
    EXPECT_EQ(explanation, pmq_last_error()) << "another thread's failure must not leak here";
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), PMQ_OK);
    EXPECT_EQ(explanation, pmq_last_error()) << "success keeps the last failure";
}

TEST(Version, RunTimeMatchesTheHeader)
{
    EXPECT_EQ(pmq_version_number(), static_cast<unsigned>(PMQ_VERSION_NUMBER));
    EXPECT_EQ(PMQ_VERSION_NUMBER,
              PMQ_VERSION_MAJOR * 10000 + PMQ_VERSION_MINOR * 100 + PMQ_VERSION_PATCH);
    const std::string expected = std::to_string(PMQ_VERSION_MAJOR) + "." +
                                 std::to_string(PMQ_VERSION_MINOR) + "." +
                                 std::to_string(PMQ_VERSION_PATCH);
    EXPECT_EQ(expected, pmq_version_string());
    EXPECT_EQ(PMQ_VERSION_MAJOR, 1);
}

long read_proc(const char *path)
{
    std::ifstream in(path);
    long value = -1;
    in >> value;
    return value;
}

TEST(Limits, ReportTheSystemsValues)
{
    EXPECT_EQ(pmq_supported(), 1);
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), PMQ_OK);
    EXPECT_EQ(limits.prio_max, 32768);
    EXPECT_EQ(limits.name_max, 255);
    EXPECT_EQ(limits.msg_max, read_proc("/proc/sys/fs/mqueue/msg_max"));
    EXPECT_EQ(limits.msgsize_max, read_proc("/proc/sys/fs/mqueue/msgsize_max"));
    EXPECT_EQ(limits.msg_default, read_proc("/proc/sys/fs/mqueue/msg_default"));
    EXPECT_EQ(limits.msgsize_default, read_proc("/proc/sys/fs/mqueue/msgsize_default"));
    EXPECT_EQ(limits.queues_max, read_proc("/proc/sys/fs/mqueue/queues_max"));
    EXPECT_TRUE(limits.rlimit_msgqueue == -1 || limits.rlimit_msgqueue >= 0);
    EXPECT_EQ(pmq_get_limits(nullptr), PMQ_EINVAL);
}

// pmq.h: no function reads or sets errno.  Each call below fails or succeeds
// through system calls that set errno (ENOENT, ETIMEDOUT, EAGAIN, EEXIST ...);
// the caller's value must be there afterwards, whatever the result.
TEST(Errno, NoFunctionChangesIt)
{
    pmq_test::UnlinkGuard name(pmq_test::unique_queue_name("errno"));
    const std::string missing = pmq_test::unique_queue_name("errno-missing");
    constexpr int sentinel = EDOM; // no libpmq path sets it
    const auto expect_kept = [&](const char *call, int rc) {
        EXPECT_EQ(errno, sentinel) << call << " returned " << pmq_err_name(rc < 0 ? rc : 0)
                                   << " and left errno " << errno;
        errno = sentinel;
    };
    pmq_queue *q = nullptr;
    char buf[16];
    pmq_attr attr{};
    pmq_limits limits{};
    errno = sentinel;
    expect_kept("pmq_open of a missing queue", pmq_open(missing.c_str(), PMQ_READ, &q));
    expect_kept("pmq_create", pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 16, &q));
    ASSERT_NE(q, nullptr) << pmq_last_error();
    pmq_queue *again = nullptr;
    expect_kept("pmq_create with PMQ_EXCL of an existing queue",
                pmq_create(name.c_str(), PMQ_WRITE | PMQ_EXCL, 0, 2, 16, &again));
    expect_kept("pmq_recv_timed(..., 0) on an empty queue",
                pmq_recv_timed(q, buf, sizeof buf, nullptr, 0));
    expect_kept("pmq_recv_timed(..., 10) on an empty queue",
                pmq_recv_timed(q, buf, sizeof buf, nullptr, 10));
    expect_kept("pmq_send", pmq_send(q, "a", 1, 0));
    expect_kept("pmq_send_timed", pmq_send_timed(q, "b", 1, 0, 0));
    expect_kept("pmq_send_timed(..., 0) on a full queue", pmq_send_timed(q, "c", 1, 0, 0));
    expect_kept("pmq_recv", pmq_recv(q, buf, sizeof buf, nullptr));
    expect_kept("pmq_recv with a small buffer", pmq_recv(q, buf, 8, nullptr));
    expect_kept("pmq_getattr", pmq_getattr(q, &attr));
    expect_kept("pmq_set_nonblocking", pmq_set_nonblocking(q, 1));
    expect_kept("pmq_recv_timed (non-blocking)", pmq_recv_timed(q, buf, sizeof buf, nullptr, 0));
    expect_kept("pmq_recv (non-blocking, empty)", pmq_recv(q, buf, sizeof buf, nullptr));
    expect_kept("pmq_fd", pmq_fd(q));
    expect_kept("pmq_notify_signal(bad)", pmq_notify_signal(q, -1));
    expect_kept("pmq_notify(NULL)", pmq_notify(q, nullptr, nullptr));
    expect_kept("pmq_send_to a missing queue", pmq_send_to(missing.c_str(), "x", 1, 0, 0));
    expect_kept("pmq_recv_from (non-blocking, empty)",
                pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK));
    expect_kept("pmq_info", pmq_info(name.c_str(), &attr));
    expect_kept("pmq_info of a missing queue", pmq_info(missing.c_str(), &attr));
    expect_kept("pmq_get_limits", pmq_get_limits(&limits));
    expect_kept("pmq_unlink of a missing queue", pmq_unlink(missing.c_str()));
    expect_kept("pmq_unlink with a bad name", pmq_unlink("no-slash"));
    expect_kept("pmq_name(NULL)", pmq_name(nullptr) == nullptr ? 0 : 1);
    // 1.1
    expect_kept("pmq_wait(..., 0) on an empty queue", pmq_wait(q, PMQ_READ, 0));
    expect_kept("pmq_wait(..., 10) on an empty queue", pmq_wait(q, PMQ_READ, 10));
    expect_kept("pmq_interrupt", pmq_interrupt(q));
    expect_kept("pmq_resume", pmq_resume(q));
    int pipe_ends[2];
    ASSERT_EQ(pipe(pipe_ends), 0);
    expect_kept("pmq_adopt of a pipe", pmq_adopt(pipe_ends[0], "pipe", &again));
    close(pipe_ends[0]);
    close(pipe_ends[1]);
    expect_kept("pmq_adopt of a closed descriptor", pmq_adopt(-1, nullptr, &again));
    pmq_queue *unique = nullptr;
    expect_kept("pmq_create_unique",
                pmq_create_unique("/errno-unique-", PMQ_READ, 0, 2, 16, &unique));
    ASSERT_NE(unique, nullptr) << pmq_last_error();
    pmq_test::UnlinkGuard unique_name(pmq_name(unique));
    expect_kept("pmq_close of the unique queue", pmq_close(unique));
    expect_kept("pmq_create_unique with a bad prefix",
                pmq_create_unique("no-slash", PMQ_READ, 0, 2, 16, &unique));
    expect_kept("pmq_close", pmq_close(q));
}

} // namespace
