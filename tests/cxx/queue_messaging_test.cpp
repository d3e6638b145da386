// pmq::queue's sends and receives: every overload, priorities, sizes,
// directions, never-waiting and timed forms; errors in both the throwing and
// the std::error_code form.
#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>

#include "expect_pmq_error.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using pmq::access;
using pmq::errc;
using pmq_test::expect_throws;

class QueueMessaging : public ::testing::Test {
protected:
    static constexpr std::int64_t depth = 3;
    static constexpr std::int64_t size = 64;
    pmq_test::UnlinkGuard guard{pmq_test::unique_queue_name("cxx-msg")};
    pmq::queue q = pmq::queue::create(guard.name(), access::read_write, {depth, size});

    void fill()
    {
        for (std::int64_t i = 0; i < depth; ++i)
            q.send("fill");
    }
};

TEST_F(QueueMessaging, SendAndReceiveAString)
{
    q.send("Hello, world!");
    const pmq::message m = q.receive();
    EXPECT_EQ(m.data, "Hello, world!");
    EXPECT_EQ(m.priority, 0u);
}

TEST_F(QueueMessaging, HighestPriorityFirstThenFifo)
{
    q.send("low", 1);
    q.send("high-1", 7);
    q.send("high-2", 7);
    EXPECT_EQ(q.receive().data, "high-1");
    const pmq::message m = q.receive();
    EXPECT_EQ(m.data, "high-2");
    EXPECT_EQ(m.priority, 7u);
    EXPECT_EQ(q.receive().data, "low");
}

TEST_F(QueueMessaging, BinaryDataWithNulsSurvivesBothWays)
{
    const std::string binary = "a\0b\0\xff"s;
    q.send(binary.data(), binary.size(), 3);
    char buf[size];
    unsigned priority = 0;
    const std::size_t n = q.receive(buf, sizeof buf, &priority);
    EXPECT_EQ(std::string(buf, n), binary);
    EXPECT_EQ(priority, 3u);

    q.send(binary, 2);
    const pmq::message m = q.receive();
    EXPECT_EQ(m.data, binary);
    EXPECT_EQ(m.priority, 2u);
}

TEST_F(QueueMessaging, EmptyMessagesAndANullPriorityPointer)
{
    q.send("");
    q.send(nullptr, 0, 0);
    char buf[size];
    EXPECT_EQ(q.receive(buf, sizeof buf), 0u);
    std::error_code ec = make_error_code(errc::system);
    EXPECT_EQ(q.receive(buf, sizeof buf, ec), 0u);
    EXPECT_FALSE(ec);
}

TEST_F(QueueMessaging, ReceiveSizesItsBufferFromTheQueue)
{
    const std::string largest(size, 'z');
    q.send(largest);
    EXPECT_EQ(q.receive().data, largest);
}

TEST_F(QueueMessaging, ErrorCodeFormsSucceedAndClear)
{
    std::error_code ec = make_error_code(errc::system);
    q.send("one", ec);
    EXPECT_FALSE(ec);
    ec = make_error_code(errc::system);
    q.send("two", 4, ec);
    EXPECT_FALSE(ec);
    ec = make_error_code(errc::system);
    q.send("three", 5, 1, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(q.receive(ec).data, "two");
    EXPECT_FALSE(ec);
    char buf[size];
    unsigned priority = 0;
    EXPECT_EQ(q.receive(buf, sizeof buf, &priority, ec), 5u);
    EXPECT_EQ(priority, 1u);
    EXPECT_FALSE(ec);
    const auto m = q.try_receive(ec);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, "one");
    EXPECT_FALSE(ec);
}

TEST_F(QueueMessaging, TooLargeAMessageIsRefused)
{
    const std::string too_large(size + 1, 'x');
    const std::string why = expect_throws([&] { q.send(too_large); }, errc::message_size);
    EXPECT_NE(why.find(std::to_string(size)), std::string::npos) << why;
    expect_throws([&] { (void)q.try_send(too_large); }, errc::message_size);
    expect_throws([&] { (void)q.send_for(too_large, 1ms); }, errc::message_size);
    std::error_code ec;
    q.send(too_large, ec);
    EXPECT_EQ(ec, errc::message_size);
    EXPECT_FALSE(q.try_send(too_large, ec));
    EXPECT_EQ(ec, errc::message_size);
    EXPECT_FALSE(q.send_for(too_large, 1ms, ec));
    EXPECT_EQ(ec, errc::message_size);
    EXPECT_EQ(q.attributes().current_messages, 0);
}

TEST_F(QueueMessaging, ASmallBufferIsRefusedAndNothingIsConsumed)
{
    q.send("kept");
    char small[size - 1];
    expect_throws([&] { (void)q.receive(small, sizeof small); }, errc::message_size);
    std::error_code ec;
    EXPECT_EQ(q.receive(small, sizeof small, nullptr, ec), 0u);
    EXPECT_EQ(ec, errc::message_size);
    EXPECT_STRNE(pmq_last_error(), "") << "the C explanation stays available";
    EXPECT_EQ(q.receive().data, "kept");
}

TEST_F(QueueMessaging, PriorityOutOfRangeIsRefused)
{
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), 0);
    ASSERT_GT(limits.prio_max, 0);
    const auto too_high = static_cast<unsigned>(limits.prio_max);
    const std::string why = expect_throws([&] { q.send("x", too_high); }, errc::invalid_argument);
    EXPECT_NE(why.find("priority"), std::string::npos) << why;
    std::error_code ec;
    q.send("x", too_high, ec);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NO_THROW(q.send("x", too_high - 1));
}

TEST_F(QueueMessaging, EachDirectionRefusesTheOther)
{
    auto reader = pmq::queue::open(guard.name(), access::read);
    auto writer = pmq::queue::open(guard.name(), access::write);
    char buf[size];
    expect_throws([&] { reader.send("x"); }, errc::bad_direction);
    expect_throws([&] { reader.send(buf, 1, 0); }, errc::bad_direction);
    expect_throws([&] { (void)reader.try_send("x"); }, errc::bad_direction);
    expect_throws([&] { (void)reader.send_for("x", 1ms); }, errc::bad_direction);
    expect_throws([&] { (void)writer.receive(); }, errc::bad_direction);
    expect_throws([&] { (void)writer.receive(buf, sizeof buf); }, errc::bad_direction);
    expect_throws([&] { (void)writer.try_receive(); }, errc::bad_direction);
    expect_throws([&] { (void)writer.receive_for(1ms); }, errc::bad_direction);
    std::error_code ec;
    reader.send("x", ec);
    EXPECT_EQ(ec, errc::bad_direction);
    EXPECT_FALSE(writer.try_receive(ec));
    EXPECT_EQ(ec, errc::bad_direction);
    EXPECT_FALSE(writer.receive_for(1ms, ec));
    EXPECT_EQ(ec, errc::bad_direction);
    EXPECT_EQ(writer.receive(ec).data, "");
    EXPECT_EQ(ec, errc::bad_direction);
}

TEST_F(QueueMessaging, TrySendIsFalseWhenFull)
{
    EXPECT_TRUE(q.try_send("a"));
    EXPECT_TRUE(q.try_send("b", 2));
    std::error_code ec = make_error_code(errc::system);
    EXPECT_TRUE(q.try_send("c", ec));
    EXPECT_FALSE(ec);
    EXPECT_FALSE(q.try_send("d"));
    ec = make_error_code(errc::system);
    EXPECT_FALSE(q.try_send("d", 1, ec));
    EXPECT_FALSE(ec) << "full is not an error";
    EXPECT_EQ(q.attributes().current_messages, depth);
    EXPECT_EQ(q.receive().data, "b");
}

TEST_F(QueueMessaging, TryReceiveIsEmptyWhenEmpty)
{
    EXPECT_FALSE(q.try_receive());
    std::error_code ec = make_error_code(errc::system);
    EXPECT_FALSE(q.try_receive(ec));
    EXPECT_FALSE(ec) << "empty is not an error";
    q.send("there", 9);
    const auto m = q.try_receive();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, "there");
    EXPECT_EQ(m->priority, 9u);
}

TEST_F(QueueMessaging, SendForIsFalseWhenNoRoomCame)
{
    EXPECT_TRUE(q.send_for("room", 10ms));
    std::error_code ec;
    EXPECT_TRUE(q.send_for("room", 10ms, ec));
    EXPECT_TRUE(q.send_for("room", 10ms, 3, ec));
    EXPECT_FALSE(q.send_for("none", 20ms));
    ec = make_error_code(errc::system);
    EXPECT_FALSE(q.send_for("none", 20ms, 1, ec));
    EXPECT_FALSE(ec) << "a timeout is not an error";
    EXPECT_FALSE(q.send_for("none", -5ms)) << "a negative timeout does not wait";
    EXPECT_FALSE(q.send_for("none", 0ms));
}

TEST_F(QueueMessaging, ReceiveForIsEmptyWhenNothingCame)
{
    EXPECT_FALSE(q.receive_for(20ms));
    std::error_code ec = make_error_code(errc::system);
    EXPECT_FALSE(q.receive_for(20ms, ec));
    EXPECT_FALSE(ec);
    EXPECT_FALSE(q.receive_for(-1ms));
    q.send("late", 4);
    const auto m = q.receive_for(10ms, ec);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, "late");
    EXPECT_EQ(m->priority, 4u);
}

TEST_F(QueueMessaging, TimeoutsBeyondIntMaxAreClampedNotWrapped)
{
    // 2^32 ms would wrap to 0 in an int; 24 days and more clamp to INT_MAX.
    const std::chrono::milliseconds huge(1LL << 32);
    EXPECT_TRUE(q.send_for("in time", huge));
    const auto m = q.receive_for(std::chrono::hours(24 * 365));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data, "in time");
}

TEST_F(QueueMessaging, ANonblockingQueueSaysWouldBlock)
{
    q.set_nonblocking(true);
    const std::string why = expect_throws([&] { (void)q.receive(); }, errc::would_block);
    char buf[size];
    expect_throws([&] { (void)q.receive(buf, sizeof buf); }, errc::would_block);
    std::error_code ec;
    EXPECT_EQ(q.receive(ec).data, "");
    EXPECT_EQ(ec, errc::would_block);
    fill();
    expect_throws([&] { q.send("over"); }, errc::would_block);
    q.send("over", ec);
    EXPECT_EQ(ec, errc::would_block);
    // The timed form on a non-blocking handle does not wait either.
    EXPECT_FALSE(q.send_for("over", 1h));
}

TEST_F(QueueMessaging, ABlockedReceiveWakesForASend)
{
    std::thread sender([name = guard.name()] {
        std::this_thread::sleep_for(20ms);
        auto w = pmq::queue::open(name, access::write);
        w.send("wake up", 6);
    });
    const pmq::message m = q.receive();
    sender.join();
    EXPECT_EQ(m.data, "wake up");
    EXPECT_EQ(m.priority, 6u);
}

#if __cplusplus >= 202002L
TEST_F(QueueMessaging, SpanOverloads)
{
    const std::byte out[] = {std::byte{1}, std::byte{0}, std::byte{255}};
    q.send(std::span<const std::byte>(out), 8);
    std::byte in[size];
    unsigned priority = 0;
    const std::size_t n = q.receive(std::span<std::byte>(in), &priority);
    ASSERT_EQ(n, sizeof out);
    EXPECT_EQ(std::memcmp(in, out, n), 0);
    EXPECT_EQ(priority, 8u);

    std::error_code ec;
    q.send(std::as_bytes(std::span("ab", 2)), 1, ec);
    EXPECT_FALSE(ec);
    EXPECT_EQ(q.receive(std::span<std::byte>(in), nullptr, ec), 2u);
    EXPECT_FALSE(ec);
    EXPECT_EQ(static_cast<char>(in[1]), 'b');

    EXPECT_TRUE(q.try_send(std::span<const std::byte>(out)));
    EXPECT_TRUE(q.try_send(std::span<const std::byte>(out), 2, ec));
    EXPECT_TRUE(q.send_for(std::span<const std::byte>(out), 5ms));
    EXPECT_FALSE(q.send_for(std::span<const std::byte>(out), 5ms, 0, ec));
    EXPECT_FALSE(ec);
    EXPECT_FALSE(q.try_send(std::span<const std::byte>(out)));

    std::byte small[size - 1];
    expect_throws([&] { (void)q.receive(std::span<std::byte>(small)); }, errc::message_size);
    EXPECT_EQ(q.receive(std::span<std::byte>(small), nullptr, ec), 0u);
    EXPECT_EQ(ec, errc::message_size);
}
#endif

} // namespace
