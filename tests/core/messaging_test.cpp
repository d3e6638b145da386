// pmq_send / pmq_recv and their error paths; many threads on one handle.
#include <pmq/pmq.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;

namespace {

class Messaging : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(pmq_create(name_.c_str(), PMQ_READ | PMQ_WRITE, 0, 10, 64, &q_), PMQ_OK)
            << pmq_last_error();
    }
    void TearDown() override { pmq_close(q_); }

    std::string receive(unsigned *priority = nullptr)
    {
        char buf[64];
        const int n = pmq_recv(q_, buf, sizeof buf, priority);
        EXPECT_GE(n, 0) << pmq_last_error();
        return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
    }

    UnlinkGuard name_{unique_queue_name("msg")};
    pmq_queue *q_ = nullptr;
};

TEST_F(Messaging, HighestPriorityFirstAndFifoWithinAPriority)
{
    const struct { const char *text; unsigned priority; } sent[] = {
        {"low-1", 1}, {"high-1", 9}, {"low-2", 1}, {"zero", 0}, {"high-2", 9}, {"max", 32767},
    };
    for (const auto &m : sent)
        ASSERT_EQ(pmq_send(q_, m.text, std::strlen(m.text), m.priority), PMQ_OK)
            << pmq_last_error();
    const struct { const char *text; unsigned priority; } expected[] = {
        {"max", 32767}, {"high-1", 9}, {"high-2", 9}, {"low-1", 1}, {"low-2", 1}, {"zero", 0},
    };
    for (const auto &m : expected) {
        unsigned priority = 12345;
        EXPECT_EQ(receive(&priority), m.text);
        EXPECT_EQ(priority, m.priority);
    }
}

TEST_F(Messaging, EmptyMessagesAndNullPriorityAreFine)
{
    ASSERT_EQ(pmq_send(q_, nullptr, 0, 3), PMQ_OK) << pmq_last_error();
    char buf[64];
    EXPECT_EQ(pmq_recv(q_, buf, sizeof buf, nullptr), 0);
}

TEST_F(Messaging, MessageLargerThanMessageSizeIsRefused)
{
    const std::string big(65, 'x');
    EXPECT_EQ(pmq_send(q_, big.data(), big.size(), 0), PMQ_EMSGSIZE);
    EXPECT_NE(std::strstr(pmq_last_error(), "message_size of 64"), nullptr) << pmq_last_error();
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q_, &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 0);
    const std::string exact(64, 'y');
    EXPECT_EQ(pmq_send(q_, exact.data(), exact.size(), 0), PMQ_OK);
}

TEST_F(Messaging, BufferSmallerThanMessageSizeIsRefusedAndConsumesNothing)
{
    ASSERT_EQ(pmq_send(q_, "hi", 2, 0), PMQ_OK);
    char small[63];
    EXPECT_EQ(pmq_recv(q_, small, sizeof small, nullptr), PMQ_EMSGSIZE);
    EXPECT_NE(std::strstr(pmq_last_error(), "at least message_size"), nullptr)
        << pmq_last_error();
    EXPECT_EQ(pmq_recv_timed(q_, small, sizeof small, nullptr, 0), PMQ_EMSGSIZE);
    EXPECT_EQ(receive(), "hi");
}

TEST_F(Messaging, WouldBlockOnFullAndEmptyWhenNonblocking)
{
    ASSERT_EQ(pmq_set_nonblocking(q_, 1), PMQ_OK);
    char buf[64];
    EXPECT_EQ(pmq_recv(q_, buf, sizeof buf, nullptr), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "empty"), nullptr) << pmq_last_error();
    for (int i = 0; i < 10; ++i)
        ASSERT_EQ(pmq_send(q_, "m", 1, 0), PMQ_OK);
    EXPECT_EQ(pmq_send(q_, "m", 1, 0), PMQ_EAGAIN);
    EXPECT_NE(std::strstr(pmq_last_error(), "full"), nullptr) << pmq_last_error();
    // A non-blocking handle never waits, even when given a timeout.
    EXPECT_EQ(pmq_send_timed(q_, "m", 1, 0, 10000), PMQ_EAGAIN);
}

// The explanation fits the call: a timeout given to a non-blocking handle is
// named as not applying, and none is suggested as the remedy (it would not
// help: a non-blocking handle never waits).
TEST_F(Messaging, NonblockingExplanationFitsTheTimeoutGiven)
{
    ASSERT_EQ(pmq_set_nonblocking(q_, 1), PMQ_OK);
    char buf[64];
    ASSERT_EQ(pmq_recv_timed(q_, buf, sizeof buf, nullptr, 250), PMQ_EAGAIN);
    std::string why = pmq_last_error();
    EXPECT_NE(why.find("empty"), std::string::npos) << why;
    EXPECT_NE(why.find("did not wait the 250 ms given"), std::string::npos) << why;
    EXPECT_NE(why.find("pmq_set_nonblocking(q, 0)"), std::string::npos) << why;
    EXPECT_EQ(why.find("use a timeout"), std::string::npos) << why;

    for (const int timeout : {-1, 0}) {
        ASSERT_EQ(timeout < 0 ? pmq_recv(q_, buf, sizeof buf, nullptr)
                              : pmq_recv_timed(q_, buf, sizeof buf, nullptr, timeout),
                  PMQ_EAGAIN);
        why = pmq_last_error();
        EXPECT_NE(why.find("non-blocking; wait for a message with poll() on pmq_fd()"),
                  std::string::npos)
            << timeout << ": " << why;
        EXPECT_EQ(why.find("use a timeout"), std::string::npos) << timeout << ": " << why;
    }
    for (int i = 0; i < 10; ++i)
        ASSERT_EQ(pmq_send(q_, "m", 1, 0), PMQ_OK);
    ASSERT_EQ(pmq_send_timed(q_, "m", 1, 0, 1000), PMQ_EAGAIN);
    why = pmq_last_error();
    EXPECT_NE(why.find("full"), std::string::npos) << why;
    EXPECT_NE(why.find("did not wait the 1000 ms given"), std::string::npos) << why;
    ASSERT_EQ(pmq_send(q_, "m", 1, 0), PMQ_EAGAIN);
    why = pmq_last_error();
    EXPECT_NE(why.find("wait for room"), std::string::npos) << why;
    EXPECT_EQ(why.find("use a timeout"), std::string::npos) << why;
}

TEST_F(Messaging, BadArgumentsAreRefusedAndChangeNothing)
{
    EXPECT_EQ(pmq_send(q_, nullptr, 5, 0), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "NULL"), nullptr);
    EXPECT_EQ(pmq_send(q_, "x", 1, 32768), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "0 .. 32767"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_send_timed(q_, "x", 1, 99999, 0), PMQ_EINVAL);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q_, &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 0);
    ASSERT_EQ(pmq_send(q_, "keep", 4, 0), PMQ_OK);
    EXPECT_EQ(pmq_recv(q_, nullptr, 64, nullptr), PMQ_EINVAL);
    EXPECT_EQ(pmq_recv_timed(q_, nullptr, 64, nullptr, 0), PMQ_EINVAL);
    EXPECT_EQ(receive(), "keep");
}

TEST(Direction, SendNeedsWriteAndReceiveNeedsRead)
{
    UnlinkGuard name(unique_queue_name("dir"));
    pmq_queue *reader = nullptr, *writer = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ, 0, 2, 16, &reader), PMQ_OK);
    ASSERT_EQ(pmq_open(name.c_str(), PMQ_WRITE, &writer), PMQ_OK);
    char buf[16];
    EXPECT_EQ(pmq_send(reader, "x", 1, 0), PMQ_EBADF);
    EXPECT_NE(std::strstr(pmq_last_error(), "PMQ_WRITE"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_send_timed(reader, "x", 1, 0, 0), PMQ_EBADF);
    EXPECT_EQ(pmq_recv(writer, buf, sizeof buf, nullptr), PMQ_EBADF);
    EXPECT_NE(std::strstr(pmq_last_error(), "PMQ_READ"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_recv_timed(writer, buf, sizeof buf, nullptr, 0), PMQ_EBADF);
    ASSERT_EQ(pmq_send(writer, "x", 1, 0), PMQ_OK);
    EXPECT_EQ(pmq_recv(reader, buf, sizeof buf, nullptr), 1);
    pmq_close(reader);
    pmq_close(writer);
}

TEST(Threads, ManyThreadsOnOneHandleReceiveEveryMessageExactlyOnce)
{
    constexpr int producers = 4, consumers = 4, per_producer = 500;
    UnlinkGuard name(unique_queue_name("threads"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 10, 16, &q), PMQ_OK);

    std::vector<std::atomic<int>> seen(producers * per_producer);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            for (int i = 0; i < per_producer; ++i) {
                const int id = p * per_producer + i;
                if (pmq_send(q, &id, sizeof id, static_cast<unsigned>(i % 3)) != PMQ_OK)
                    ++failures;
            }
        });
    for (int c = 0; c < consumers; ++c)
        threads.emplace_back([&] {
            for (int i = 0; i < producers * per_producer / consumers; ++i) {
                int id = -1;
                char buf[16];
                const int n = pmq_recv_timed(q, buf, sizeof buf, nullptr, 10000);
                if (n != sizeof id) {
                    ++failures;
                    continue;
                }
                std::memcpy(&id, buf, sizeof id);
                if (id >= 0 && id < producers * per_producer)
                    ++seen[static_cast<std::size_t>(id)];
                else
                    ++failures;
            }
        });
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(failures.load(), 0);
    for (std::size_t id = 0; id < seen.size(); ++id)
        ASSERT_EQ(seen[id].load(), 1) << "message " << id;
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.current_messages, 0);
    pmq_close(q);
}

} // namespace
