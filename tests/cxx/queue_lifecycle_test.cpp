// pmq::queue's life: create, open, unlink, close, moves and moved-from
// queues, and the state calls (attributes, set_nonblocking, native_handle,
// c_handle, name), each with its error paths in both the throwing and the
// std::error_code form.
#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "expect_pmq_error.hpp"
#include "test_support.hpp"

namespace {

using namespace std::string_literals;
using pmq::access;
using pmq::errc;
using pmq_test::expect_throws;

static_assert(!std::is_copy_constructible_v<pmq::queue>);
static_assert(!std::is_copy_assignable_v<pmq::queue>);
static_assert(std::is_nothrow_move_constructible_v<pmq::queue>);
static_assert(std::is_nothrow_move_assignable_v<pmq::queue>);
static_assert(std::is_nothrow_destructible_v<pmq::queue>);

class QueueLifecycle : public ::testing::Test {
protected:
    pmq_test::UnlinkGuard guard{pmq_test::unique_queue_name("cxx-life")};
    const std::string &name = guard.name();
};

TEST_F(QueueLifecycle, CreateWithOptionsSetsTheAttributes)
{
    auto q = pmq::queue::create(name, access::read_write, {4, 128});
    const pmq::attributes a = q.attributes();
    EXPECT_EQ(a.max_messages, 4);
    EXPECT_EQ(a.message_size, 128);
    EXPECT_EQ(a.current_messages, 0);
    EXPECT_FALSE(a.nonblocking);
    EXPECT_TRUE(q);
    EXPECT_EQ(q.name(), name);
}

TEST_F(QueueLifecycle, CreateWithDefaultsUsesTheSystemDefaults)
{
    pmq_limits limits{};
    ASSERT_EQ(pmq_get_limits(&limits), 0) << pmq_last_error();
    auto q = pmq::queue::create(name, access::write);
    const pmq::attributes a = q.attributes();
    if (limits.msg_default > 0) {
        EXPECT_EQ(a.max_messages, limits.msg_default);
    }
    if (limits.msgsize_default > 0) {
        EXPECT_EQ(a.message_size, limits.msgsize_default);
    }
    EXPECT_GT(a.max_messages, 0);
    EXPECT_GT(a.message_size, 0);
}

TEST_F(QueueLifecycle, CreateNonblockingGivesANonblockingHandle)
{
    pmq::create_options options;
    options.nonblocking = true;
    auto q = pmq::queue::create(name, access::read, options);
    EXPECT_TRUE(q.attributes().nonblocking);
    expect_throws([&] { (void)q.receive(); }, errc::would_block);
}

TEST_F(QueueLifecycle, CreateExclusiveRefusesAnExistingQueue)
{
    auto first = pmq::queue::create(name, access::write, {2, 16, 0, true});
    const std::string why = expect_throws(
        [&] { (void)pmq::queue::create(name, access::write, {2, 16, 0, true}); }, errc::exists);
    EXPECT_NE(why.find(name), std::string::npos) << why;

    std::error_code ec;
    auto second = pmq::queue::create(name, access::write, {2, 16, 0, true}, ec);
    EXPECT_EQ(ec, errc::exists);
    EXPECT_FALSE(second);
}

TEST_F(QueueLifecycle, CreateOfAnExistingQueueKeepsItsAttributesAndMessages)
{
    auto first = pmq::queue::create(name, access::write, {3, 32});
    first.send("kept");
    auto again = pmq::queue::create(name, access::read, {7, 64});
    EXPECT_EQ(again.attributes().max_messages, 3);
    EXPECT_EQ(again.attributes().message_size, 32);
    EXPECT_EQ(again.receive().data, "kept");
}

TEST_F(QueueLifecycle, ModeZeroMeansOwnerOnlyAndAModeIsApplied)
{
    const mode_t old_mask = ::umask(022);
    struct stat st{};
    {
        auto q = pmq::queue::create(name, access::read);
        ASSERT_EQ(::fstat(q.native_handle(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
    pmq::queue::unlink(name);
    {
        auto q = pmq::queue::create(name, access::read, {0, 0, 0640});
        ASSERT_EQ(::fstat(q.native_handle(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0640u);
    }
    ::umask(old_mask);
}

TEST_F(QueueLifecycle, CreateRefusesBadArguments)
{
    expect_throws([&] { (void)pmq::queue::create(name, access::read, {0, 0, 01000}); },
                  errc::invalid_argument);
    expect_throws([&] { (void)pmq::queue::create(name, access::read, {-1, 0}); },
                  errc::invalid_argument);
    expect_throws([&] { (void)pmq::queue::create(name, access::read, {0, -5}); },
                  errc::invalid_argument);
    expect_throws([&] { (void)pmq::queue::create(name, static_cast<access>(42)); },
                  errc::invalid_argument);
    std::error_code ec;
    auto q = pmq::queue::create(name, static_cast<access>(42), ec);
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_FALSE(q);
    // Nothing was created by any of them.
    expect_throws([&] { (void)pmq::queue::open(name, access::read); }, errc::not_found);
}

TEST_F(QueueLifecycle, CreateBeyondTheKernelsCeilingIsALimit)
{
    // 100000 messages exceed the kernel's hard ceiling (65536), which even
    // CAP_SYS_RESOURCE does not lift.
    const auto too_deep = [&] { (void)pmq::queue::create(name, access::read, {100000, 16}); };
    const std::string why = expect_throws(too_deep, errc::limit);
    EXPECT_NE(why.find("100000"), std::string::npos) << why;
    std::error_code ec;
    (void)pmq::queue::create(name, access::read, {100000, 16}, ec);
    EXPECT_EQ(ec, errc::limit);
}

TEST(QueueNames, BadNamesAreRefusedEverywhere)
{
    const std::string too_long = "/" + std::string(300, 'n');
    for (std::string_view bad : {"noslash"s, ""s, "/"s, "/a/b"s, too_long}) {
        SCOPED_TRACE(std::string(bad.substr(0, 20)));
        expect_throws([&] { (void)pmq::queue::create(bad, access::read); }, errc::invalid_name);
        expect_throws([&] { (void)pmq::queue::open(bad, access::read); }, errc::invalid_name);
        expect_throws([&] { pmq::queue::unlink(bad); }, errc::invalid_name);
        std::error_code ec;
        (void)pmq::queue::create(bad, access::read, ec);
        EXPECT_EQ(ec, errc::invalid_name);
        (void)pmq::queue::open(bad, access::read, ec);
        EXPECT_EQ(ec, errc::invalid_name);
        pmq::queue::unlink(bad, ec);
        EXPECT_EQ(ec, errc::invalid_name);
    }
}

TEST(QueueNames, AnEmbeddedNulIsAnInvalidNameNeverTruncated)
{
    // C would see only "/cxx-nul-<pid>": make sure that queue is not touched.
    const std::string prefix = pmq_test::unique_queue_name("cxx-nul");
    pmq_test::UnlinkGuard guard(prefix);
    auto existing = pmq::queue::create(prefix, access::read_write);
    const std::string with_nul = prefix + "\0tail"s;
    ASSERT_EQ(with_nul.size(), prefix.size() + 5);

    const auto create = [&] { (void)pmq::queue::create(with_nul, access::read); };
    const std::string why = expect_throws(create, errc::invalid_name);
    EXPECT_NE(why.find("NUL"), std::string::npos) << why;
    EXPECT_NE(why.find("\\0tail"), std::string::npos) << why;
    expect_throws([&] { (void)pmq::queue::open(with_nul, access::read); }, errc::invalid_name);
    expect_throws([&] { pmq::queue::unlink(with_nul); }, errc::invalid_name);
    std::error_code ec;
    (void)pmq::queue::open(with_nul, access::read, true, ec);
    EXPECT_EQ(ec, errc::invalid_name);
    pmq::queue::unlink(with_nul, ec);
    EXPECT_EQ(ec, errc::invalid_name);
    // The prefix queue is still there.
    EXPECT_NO_THROW((void)pmq::queue::open(prefix, access::read));
}

TEST_F(QueueLifecycle, OpenFindsAnExistingQueueInTheGivenDirection)
{
    auto creator = pmq::queue::create(name, access::write, {2, 8});
    auto reader = pmq::queue::open(name, access::read);
    EXPECT_FALSE(reader.attributes().nonblocking);
    EXPECT_EQ(reader.attributes().message_size, 8);
    creator.send("hi");
    EXPECT_EQ(reader.receive().data, "hi");
    expect_throws([&] { reader.send("no"); }, errc::bad_direction);

    auto nonblocking = pmq::queue::open(name, access::read_write, true);
    EXPECT_TRUE(nonblocking.attributes().nonblocking);
    std::error_code ec = make_error_code(errc::system);
    auto opened = pmq::queue::open(name, access::read, ec);
    EXPECT_FALSE(ec) << "success must clear the error code";
    EXPECT_TRUE(opened);
}

TEST_F(QueueLifecycle, OpenOfAMissingQueueIsNotFound)
{
    const std::string why =
        expect_throws([&] { (void)pmq::queue::open(name, access::read); }, errc::not_found);
    EXPECT_NE(why.find(name), std::string::npos) << why;
    std::error_code ec;
    auto q = pmq::queue::open(name, access::read, false, ec);
    EXPECT_EQ(ec, errc::not_found);
    EXPECT_FALSE(q);
    expect_throws([&] { (void)pmq::queue::open(name, static_cast<access>(-1)); },
                  errc::invalid_argument);
}

TEST_F(QueueLifecycle, UnlinkRemovesTheNameButNotAnOpenQueue)
{
    auto q = pmq::queue::create(name, access::read_write);
    pmq::queue::unlink(name);
    expect_throws([&] { (void)pmq::queue::open(name, access::read); }, errc::not_found);
    q.send("still here");
    EXPECT_EQ(q.receive().data, "still here");

    expect_throws([&] { pmq::queue::unlink(name); }, errc::not_found);
    std::error_code ec;
    pmq::queue::unlink(name, ec);
    EXPECT_EQ(ec, errc::not_found);
    (void)pmq::queue::create(name, access::read);
    pmq::queue::unlink(name, ec);
    EXPECT_FALSE(ec);
}

TEST_F(QueueLifecycle, AnotherUserIsDeniedAnOwnerOnlyQueue)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to become another user (nobody)";
    auto q = pmq::queue::create(name, access::read); // mode 0 = 0600
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // As nobody: 10 = denied as expected, 11 = other outcome, 12 = setup failed.
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(12);
        std::error_code ec;
        (void)pmq::queue::open(name, access::read, ec);
        const bool thrown_too = [&] {
            try {
                (void)pmq::queue::open(name, access::write);
            } catch (const pmq::error &e) {
                return e.code() == errc::permission_denied;
            }
            return false;
        }();
        ::_exit(ec == errc::permission_denied && thrown_too ? 10 : 11);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 10) << "11: not permission_denied, 12: could not become nobody";
}

TEST_F(QueueLifecycle, CloseEmptiesTheQueueAndIsIdempotent)
{
    auto q = pmq::queue::create(name, access::read_write);
    const int fd = q.native_handle();
    q.close();
    EXPECT_FALSE(q);
    EXPECT_EQ(q.c_handle(), nullptr);
    EXPECT_EQ(q.name(), "");
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1) << "the descriptor must be closed";
    EXPECT_NO_THROW(q.close());
    std::error_code ec = make_error_code(errc::system);
    q.close(ec);
    EXPECT_FALSE(ec);
    const std::string why = expect_throws([&] { q.send("x"); }, errc::invalid_argument);
    EXPECT_NE(why.find("moved from or closed"), std::string::npos) << why;
}

TEST_F(QueueLifecycle, DestructorClosesTheDescriptor)
{
    int fd = -1;
    {
        auto q = pmq::queue::create(name, access::read);
        fd = q.native_handle();
        ASSERT_NE(::fcntl(fd, F_GETFD), -1);
    }
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
}

TEST_F(QueueLifecycle, MoveConstructionTransfersTheQueue)
{
    auto a = pmq::queue::create(name, access::read_write, {2, 16});
    pmq_queue *const handle = a.c_handle();
    pmq::queue b(std::move(a));
    EXPECT_EQ(b.c_handle(), handle);
    EXPECT_EQ(b.name(), name);
    EXPECT_FALSE(a); // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_EQ(a.c_handle(), nullptr);
    b.send("moved");
    EXPECT_EQ(b.receive().data, "moved");
}

TEST_F(QueueLifecycle, MoveAssignmentClosesTheOldQueueAndTakesTheNew)
{
    pmq_test::UnlinkGuard other(pmq_test::unique_queue_name("cxx-life2"));
    auto a = pmq::queue::create(name, access::read_write);
    auto b = pmq::queue::create(other.name(), access::read_write);
    const int b_fd = b.native_handle();
    pmq_queue *const a_handle = a.c_handle();
    b = std::move(a);
    EXPECT_EQ(b.c_handle(), a_handle);
    EXPECT_EQ(b.name(), name);
    EXPECT_EQ(::fcntl(b_fd, F_GETFD), -1) << "the queue b held must be closed";
    EXPECT_FALSE(a); // NOLINT(bugprone-use-after-move)

    auto &alias = b; // self-move keeps the queue
    b = std::move(alias);
    EXPECT_EQ(b.c_handle(), a_handle);

    b = pmq::queue(); // assigning an empty queue closes
    EXPECT_FALSE(b);
}

// Every call on a queue that holds nothing fails cleanly with invalid_argument.
void expect_every_call_refused(pmq::queue &q)
{
    using namespace std::chrono_literals;
    EXPECT_FALSE(q);
    EXPECT_EQ(q.c_handle(), nullptr);
    EXPECT_EQ(q.name(), "");
    char buf[16];
    unsigned priority = 0;
    const errc bad = errc::invalid_argument;
    expect_throws([&] { q.send("x"); }, bad);
    expect_throws([&] { q.send(buf, 1, 0); }, bad);
    expect_throws([&] { (void)q.try_send("x"); }, bad);
    expect_throws([&] { (void)q.send_for("x", 1ms); }, bad);
    expect_throws([&] { (void)q.receive(buf, sizeof buf, &priority); }, bad);
    expect_throws([&] { (void)q.receive(); }, bad);
    expect_throws([&] { (void)q.try_receive(); }, bad);
    expect_throws([&] { (void)q.receive_for(1ms); }, bad);
    expect_throws([&] { (void)q.attributes(); }, bad);
    expect_throws([&] { q.set_nonblocking(true); }, bad);
    expect_throws([&] { (void)q.native_handle(); }, bad);

    std::error_code ec;
    q.send("x", ec);
    EXPECT_EQ(ec, bad);
    q.send("x", 1, ec);
    EXPECT_EQ(ec, bad);
    q.send(buf, 1, 0, ec);
    EXPECT_EQ(ec, bad);
    EXPECT_FALSE(q.try_send("x", ec));
    EXPECT_EQ(ec, bad);
    EXPECT_FALSE(q.send_for("x", 1ms, ec));
    EXPECT_EQ(ec, bad);
    EXPECT_EQ(q.receive(buf, sizeof buf, ec), 0u);
    EXPECT_EQ(ec, bad);
    EXPECT_EQ(q.receive(ec).data, "");
    EXPECT_EQ(ec, bad);
    EXPECT_FALSE(q.try_receive(ec));
    EXPECT_EQ(ec, bad);
    EXPECT_FALSE(q.receive_for(1ms, ec));
    EXPECT_EQ(ec, bad);
    (void)q.attributes(ec);
    EXPECT_EQ(ec, bad);
    q.set_nonblocking(false, ec);
    EXPECT_EQ(ec, bad);
    EXPECT_EQ(q.native_handle(ec), -1);
    EXPECT_EQ(ec, bad);
    EXPECT_NO_THROW(q.close());
}

TEST_F(QueueLifecycle, AMovedFromQueueRefusesEveryCall)
{
    auto a = pmq::queue::create(name, access::read_write);
    pmq::queue b = std::move(a);
    expect_every_call_refused(a); // NOLINT(bugprone-use-after-move)
    b.send("b still works");
    EXPECT_EQ(b.receive().data, "b still works");
}

TEST(QueueDefault, ADefaultQueueRefusesEveryCall)
{
    pmq::queue q;
    expect_every_call_refused(q);
}

TEST_F(QueueLifecycle, SetNonblockingSwitchesBothWays)
{
    auto q = pmq::queue::create(name, access::read_write, {1, 8});
    q.set_nonblocking(true);
    EXPECT_TRUE(q.attributes().nonblocking);
    expect_throws([&] { (void)q.receive(); }, errc::would_block);
    std::error_code ec;
    q.set_nonblocking(false, ec);
    EXPECT_FALSE(ec);
    EXPECT_FALSE(q.attributes().nonblocking);
}

TEST_F(QueueLifecycle, AttributesCountWaitingMessages)
{
    auto q = pmq::queue::create(name, access::read_write, {3, 8});
    q.send("1");
    q.send("2");
    std::error_code ec = make_error_code(errc::system);
    EXPECT_EQ(q.attributes(ec).current_messages, 2);
    EXPECT_FALSE(ec);
}

TEST_F(QueueLifecycle, NativeHandleIsAPollableCloseOnExecDescriptor)
{
    auto q = pmq::queue::create(name, access::read_write, {2, 8});
    std::error_code ec;
    const int fd = q.native_handle(ec);
    ASSERT_FALSE(ec);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(fd, q.native_handle());
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
    pollfd p{fd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0) << "empty: not readable";
    q.send("ready");
    EXPECT_EQ(::poll(&p, 1, 0), 1);
    EXPECT_TRUE(p.revents & POLLIN);
}

TEST_F(QueueLifecycle, CHandleWorksWithTheCApi)
{
    auto q = pmq::queue::create(name, access::read_write, {2, 8});
    ASSERT_NE(q.c_handle(), nullptr);
    ASSERT_EQ(pmq_send(q.c_handle(), "c", 1, 5), 0) << pmq_last_error();
    EXPECT_STREQ(pmq_name(q.c_handle()), name.c_str());
    const pmq::message m = q.receive();
    EXPECT_EQ(m.data, "c");
    EXPECT_EQ(m.priority, 5u);
}

} // namespace
