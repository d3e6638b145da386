// pmq.hpp's 1.1 additions: wait / wait_for, interrupt / resume, adopt,
// create_unique, and errc::canceled, in the throwing and error_code forms.
#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <system_error>
#include <thread>

#include "expect_pmq_error.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using pmq::access;
using pmq::errc;
using pmq::events;

class QueueWaiting : public ::testing::Test {
protected:
    pmq_test::UnlinkGuard guard{pmq_test::unique_queue_name("cxx-wait")};
    pmq::queue q = pmq::queue::create(guard.name(), access::read_write, {2, 32});
};

TEST_F(QueueWaiting, WaitForReportsWhatIsReady)
{
    EXPECT_EQ(q.wait_for(events::message, 0ms), events::none);
    EXPECT_EQ(q.wait_for(events::message, 20ms), events::none);
    EXPECT_EQ(q.wait_for(events::message_or_room, 0ms), events::room);
    q.send("a");
    EXPECT_EQ(q.wait(), events::message);
    EXPECT_EQ(q.wait(events::message | events::room), events::message_or_room);
    EXPECT_EQ(q.wait_for(events::message, 1s) & events::message, events::message);
    std::error_code ec = make_error_code(errc::system);
    EXPECT_EQ(q.wait_for(events::room, 0ms, ec), events::room);
    EXPECT_FALSE(ec);
    EXPECT_EQ(q.receive().data, "a"); // nothing was taken
}

TEST_F(QueueWaiting, WaitErrorsAreExplained)
{
    pmq::queue writer = pmq::queue::open(guard.name(), access::write);
    const std::string why =
        pmq_test::expect_throws([&] { (void)writer.wait(events::message); }, errc::bad_direction);
    EXPECT_NE(why.find("PMQ_READ"), std::string::npos) << why;
    std::error_code ec;
    EXPECT_EQ(writer.wait_for(events::message, 1s, ec), events::none);
    EXPECT_EQ(ec, errc::bad_direction);
    pmq_test::expect_throws([&] { (void)q.wait(events::none); }, errc::invalid_argument);
    pmq::queue empty;
    pmq_test::expect_throws([&] { (void)empty.wait(); }, errc::invalid_argument);
    pmq_test::expect_throws([&] { empty.interrupt(); }, errc::invalid_argument);
    empty.resume(ec);
    EXPECT_EQ(ec, errc::invalid_argument);
}

TEST_F(QueueWaiting, InterruptStopsABlockedReceiveUntilResume)
{
    std::atomic<bool> started{false};
    std::error_code seen;
    std::thread worker([&] {
        started = true;
        try {
            (void)q.receive();
        } catch (const pmq::error &e) {
            seen = e.code();
        }
    });
    while (!started)
        std::this_thread::yield();
    std::this_thread::sleep_for(20ms); // let it block (if not yet, it is refused at once)
    q.interrupt();
    worker.join();
    EXPECT_EQ(seen, errc::canceled);
    EXPECT_TRUE(seen == std::errc::operation_canceled);

    std::error_code ec;
    (void)q.receive(ec);
    EXPECT_EQ(ec, errc::canceled);
    EXPECT_EQ(q.wait(events::message, ec), events::none);
    EXPECT_EQ(ec, errc::canceled);
    // A timed call that would wait is refused too: not "not now", an error.
    pmq_test::expect_throws([&] { (void)q.receive_for(1s); }, errc::canceled);
    pmq_test::expect_throws([&] { (void)q.wait_for(events::message, 1s); }, errc::canceled);
    // ... but try_receive never waits, so it behaves as before.
    EXPECT_EQ(q.try_receive(), std::nullopt);

    q.resume();
    EXPECT_EQ(q.receive_for(10ms), std::nullopt);
    q.interrupt(ec);
    EXPECT_FALSE(ec);
    q.resume(ec);
    EXPECT_FALSE(ec);
}

TEST_F(QueueWaiting, AdoptOwnsTheDescriptor)
{
    const mqd_t fd = ::mq_open(guard.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    {
        pmq::queue adopted = pmq::queue::adopt(fd, "/inherited");
        EXPECT_EQ(adopted.native_handle(), fd);
        EXPECT_EQ(adopted.name(), "/inherited");
        q.send("hello", 3);
        const pmq::message m = adopted.receive(); // message_size known: 32
        EXPECT_EQ(m.data, "hello");
        EXPECT_EQ(m.priority, 3u);
        pmq_test::expect_throws([&] { adopted.send("x"); }, errc::bad_direction);
    }
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1); // closed with the queue

    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const std::string why = pmq_test::expect_throws(
        [&] { (void)pmq::queue::adopt(pipe_fds[0], "/pipe"); }, errc::invalid_argument);
    EXPECT_NE(why.find("not a POSIX message queue"), std::string::npos) << why;
    std::error_code ec;
    pmq::queue none = pmq::queue::adopt(pipe_fds[0], "/pipe", ec);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_FALSE(none);
    EXPECT_EQ(::close(pipe_fds[0]), 0); // untouched, still open
    EXPECT_EQ(::close(pipe_fds[1]), 0);
    pmq_test::expect_throws([&] { (void)pmq::queue::adopt(0, std::string("a\0b", 3)); },
                            errc::invalid_name);
}

TEST(QueueCreateUnique, MakesAFreshNameEachTime)
{
    const std::string prefix = pmq_test::unique_queue_name("cxx-unique") + "-";
    pmq::queue a = pmq::queue::create_unique(prefix, access::read_write, {1, 64});
    pmq::queue b = pmq::queue::create_unique(prefix, access::read);
    pmq_test::UnlinkGuard guard_a{std::string(a.name())}, guard_b{std::string(b.name())};
    EXPECT_NE(a.name(), b.name());
    EXPECT_EQ(a.name().substr(0, prefix.size()), prefix);
    EXPECT_EQ(a.name().size(), prefix.size() + 16);
    EXPECT_EQ(a.attributes().message_size, 64);
    a.send("reply");
    EXPECT_EQ(a.receive().data, "reply");

    const std::string why = pmq_test::expect_throws(
        [&] { (void)pmq::queue::create_unique("no-slash", access::read); }, errc::invalid_name);
    EXPECT_NE(why.find("pmq_create_unique"), std::string::npos) << why;
    std::error_code ec;
    pmq::queue none = pmq::queue::create_unique("/" + std::string(250, 'x'), access::read, {}, ec);
    EXPECT_EQ(ec, errc::invalid_name);
    EXPECT_FALSE(none);
}

} // namespace
