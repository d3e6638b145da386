// pmq_create_unique: prefix + a fresh random suffix, created exclusively,
// retried on collision; prefixes that leave no room are PMQ_ENAME.
//
// Collisions are forced by fault injection: this program defines getrandom(),
// which the library's call then reaches (an executable's symbols come first),
// and can make it repeat itself.
#include <pmq/pmq.h>

#include <dlfcn.h>
#include <sys/random.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;

namespace {

constexpr std::size_t suffix_length = 16;
// getrandom() calls still to answer with all-zero bytes (suffix "000...0").
std::atomic<int> zero_answers{0};
std::atomic<int> getrandom_calls{0};

} // namespace

extern "C" ssize_t getrandom(void *buf, size_t length, unsigned flags)
{
    ++getrandom_calls;
    if (zero_answers > 0) {
        --zero_answers;
        std::memset(buf, 0, length);
        return static_cast<ssize_t>(length);
    }
    using Real = ssize_t (*)(void *, size_t, unsigned);
    static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "getrandom"));
    return real(buf, length, flags);
}

namespace {

// A prefix unique to this run, so parallel runs never meet.
std::string run_prefix(const std::string &tag)
{
    return pmq_test::unique_queue_name(tag) + "-";
}

bool suffix_is_valid(const std::string &name, const std::string &prefix)
{
    if (name.size() != prefix.size() + suffix_length || name.compare(0, prefix.size(), prefix))
        return false;
    for (std::size_t i = prefix.size(); i < name.size(); ++i)
        if (std::strchr("0123456789abcdefghijklmnopqrstuv", name[i]) == nullptr)
            return false;
    return true;
}

TEST(CreateUnique, NamesPrefixPlusARandomSuffixAndCreatesIt)
{
    const std::string prefix = run_prefix("unique");
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ | PMQ_WRITE, 0, 3, 32, &q), PMQ_OK)
        << pmq_last_error();
    const std::string name = pmq_name(q);
    UnlinkGuard guard(name);
    EXPECT_TRUE(suffix_is_valid(name, prefix)) << name;
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name.c_str(), &attr), PMQ_OK); // exists under that name
    EXPECT_EQ(attr.max_messages, 3);
    EXPECT_EQ(attr.message_size, 32);
    EXPECT_EQ(pmq_send(q, "reply", 5, 0), PMQ_OK);
    EXPECT_EQ(pmq_close(q), PMQ_OK);
}

TEST(CreateUnique, ARootPrefixAndOneThatFillsTheNameExactlyWork)
{
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create_unique("/", PMQ_READ, 0, 0, 0, &q), PMQ_OK) << pmq_last_error();
    UnlinkGuard root(pmq_name(q));
    EXPECT_EQ(std::strlen(pmq_name(q)), 1 + suffix_length);
    pmq_close(q);

    const std::string longest = "/" + std::string(255 - suffix_length, 'p');
    ASSERT_EQ(pmq_create_unique(longest.c_str(), PMQ_READ, 0, 0, 0, &q), PMQ_OK)
        << pmq_last_error();
    UnlinkGuard full(pmq_name(q));
    EXPECT_EQ(std::strlen(pmq_name(q)), 256u);
    pmq_close(q);
}

TEST(CreateUnique, BadPrefixesAreEname)
{
    pmq_queue *q = nullptr;
    const std::string too_long = "/" + std::string(256 - suffix_length, 'p');
    EXPECT_EQ(pmq_create_unique(too_long.c_str(), PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_NE(std::strstr(pmq_last_error(), "at most 239"), nullptr) << pmq_last_error();
    const std::string far_too_long = "/" + std::string(1000, 'p');
    EXPECT_EQ(pmq_create_unique(far_too_long.c_str(), PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_EQ(pmq_create_unique("reply-", PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_NE(std::strstr(pmq_last_error(), "must start with '/'"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_create_unique("", PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_EQ(pmq_create_unique("/a/b-", PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_NE(std::strstr(pmq_last_error(), "no '/' after the first"), nullptr)
        << pmq_last_error();
    EXPECT_EQ(pmq_create_unique(nullptr, PMQ_READ, 0, 0, 0, &q), PMQ_ENAME);
    EXPECT_NE(std::strstr(pmq_last_error(), "pmq_create_unique"), nullptr) << pmq_last_error();
    EXPECT_EQ(q, nullptr);
}

TEST(CreateUnique, OtherArgumentsAreCheckedAsPmqCreateDoes)
{
    const std::string prefix = run_prefix("unique-args");
    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), 0, 0, 0, 0, &q), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "pmq_create_unique"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ | 0x80u, 0, 0, 0, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 01000, 0, 0, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, -1, 0, &q), PMQ_EINVAL);
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, 0, 0, nullptr), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "out pointer"), nullptr) << pmq_last_error();
    EXPECT_EQ(q, nullptr);
    // PMQ_EXCL is implied, so saying it is fine; so is PMQ_NONBLOCK.
    ASSERT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ | PMQ_EXCL | PMQ_NONBLOCK, 0, 0, 0, &q),
              PMQ_OK);
    UnlinkGuard guard(pmq_name(q));
    char buf[8192];
    EXPECT_EQ(pmq_recv(q, buf, sizeof buf, nullptr), PMQ_EAGAIN);
    pmq_close(q);
}

TEST(CreateUnique, ACollisionIsRetriedWithAnotherSuffix)
{
    const std::string prefix = run_prefix("unique-collide");
    pmq_queue *first = nullptr, *second = nullptr;
    zero_answers = 1;
    ASSERT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, 0, 0, &first), PMQ_OK);
    UnlinkGuard first_name(pmq_name(first));
    EXPECT_EQ(first_name.name(), prefix + std::string(suffix_length, '0'));
    zero_answers = 1; // the same suffix again: taken, so another is drawn
    getrandom_calls = 0;
    ASSERT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, 0, 0, &second), PMQ_OK)
        << pmq_last_error();
    UnlinkGuard second_name(pmq_name(second));
    EXPECT_EQ(getrandom_calls.load(), 2);
    EXPECT_NE(second_name.name(), first_name.name());
    EXPECT_TRUE(suffix_is_valid(second_name.name(), prefix)) << second_name.name();
    pmq_close(first);
    pmq_close(second);
}

TEST(CreateUnique, EndlessCollisionsEndWithAnExplanation)
{
    const std::string prefix = run_prefix("unique-stuck");
    pmq_queue *first = nullptr, *second = nullptr;
    zero_answers = 1;
    ASSERT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, 0, 0, &first), PMQ_OK);
    UnlinkGuard first_name(pmq_name(first));
    zero_answers = 1000;
    EXPECT_EQ(pmq_create_unique(prefix.c_str(), PMQ_READ, 0, 0, 0, &second), PMQ_EEXIST);
    EXPECT_NE(std::strstr(pmq_last_error(), "were taken"), nullptr) << pmq_last_error();
    EXPECT_EQ(second, nullptr);
    zero_answers = 0;
    pmq_close(first);
}

// Many threads at once: every name distinct, and none left behind once each
// thread has unlinked what it made.
TEST(CreateUnique, ManyThreadsAtOnceNeverCollide)
{
    const std::string prefix = run_prefix("unique-many");
    constexpr int threads = 8, each = 40;
    std::mutex lock;
    std::vector<std::string> names;
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < each; ++i) {
                pmq_queue *q = nullptr;
                if (pmq_create_unique(prefix.c_str(), PMQ_WRITE, 0, 1, 16, &q) != PMQ_OK) {
                    ++failures;
                    continue;
                }
                const std::string name = pmq_name(q);
                pmq_close(q);
                if (pmq_unlink(name.c_str()) != PMQ_OK)
                    ++failures;
                std::lock_guard<std::mutex> hold(lock);
                names.push_back(name);
            }
        });
    for (std::thread &t : pool)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_EQ(names.size(), static_cast<std::size_t>(threads * each));
    const std::set<std::string> distinct(names.begin(), names.end());
    EXPECT_EQ(distinct.size(), names.size());
    for (const std::string &name : names) {
        pmq_attr attr{};
        EXPECT_EQ(pmq_info(name.c_str(), &attr), PMQ_ENOENT) << name << " was left behind";
    }
}

} // namespace
