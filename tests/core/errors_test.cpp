// The error table, pmq_last_error, versions, limits and pmq_supported.
#include <pmq/pmq.h>

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

} // namespace
