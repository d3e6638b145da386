// pmq_adopt: owning a message-queue descriptor opened elsewhere (mq_open, an
// exec'ing parent, systemd); refusing anything else and leaving it untouched.
#include <pmq/pmq.h>

#include <fcntl.h>
#include <mqueue.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

using pmq_test::UnlinkGuard;
using pmq_test::unique_queue_name;

namespace {

class Adopt : public ::testing::Test {
protected:
    void SetUp() override
    {
        struct mq_attr attr {};
        attr.mq_maxmsg = 2;
        attr.mq_msgsize = 16;
        // Plain mq_open, as another program would: no libpmq involved.
        raw_ = ::mq_open(name_.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
        ASSERT_NE(raw_, static_cast<mqd_t>(-1)) << std::strerror(errno);
    }
    void TearDown() override
    {
        if (raw_ != static_cast<mqd_t>(-1))
            ::mq_close(raw_);
    }
    // The handle owns it now: the test must not close it again.
    int release() { return std::exchange(raw_, static_cast<mqd_t>(-1)); }

    UnlinkGuard name_{unique_queue_name("adopt")};
    mqd_t raw_ = static_cast<mqd_t>(-1);
    char buf_[16];
};

TEST_F(Adopt, OwnsTheDescriptorFromThenOn)
{
    const int fd = raw_;
    ASSERT_EQ(fcntl(fd, F_SETFD, 0), 0); // as inherited: not close-on-exec
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_adopt(fd, "/jobs-from-systemd", &q), PMQ_OK) << pmq_last_error();
    release();
    EXPECT_EQ(pmq_fd(q), fd);
    EXPECT_STREQ(pmq_name(q), "/jobs-from-systemd");
    EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0); // owned by libpmq: close-on-exec
    EXPECT_EQ(pmq_send(q, "hi", 2, 1), PMQ_OK);
    unsigned priority = 0;
    EXPECT_EQ(pmq_recv(q, buf_, sizeof buf_, &priority), 2);
    EXPECT_EQ(priority, 1u);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.max_messages, 2);
    EXPECT_EQ(pmq_close(q), PMQ_OK);
    EXPECT_EQ(fcntl(fd, F_GETFD), -1); // closing the handle closed it
    EXPECT_EQ(errno, EBADF);
}

TEST_F(Adopt, NullNameIsEmpty)
{
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_adopt(raw_, nullptr, &q), PMQ_OK) << pmq_last_error();
    release();
    EXPECT_STREQ(pmq_name(q), "");
    pmq_close(q);
}

TEST_F(Adopt, DirectionsComeFromTheAccessMode)
{
    const mqd_t reader = ::mq_open(name_.c_str(), O_RDONLY);
    const mqd_t writer = ::mq_open(name_.c_str(), O_WRONLY);
    ASSERT_GE(reader, 0);
    ASSERT_GE(writer, 0);
    pmq_queue *r = nullptr, *w = nullptr;
    ASSERT_EQ(pmq_adopt(reader, "/reader", &r), PMQ_OK);
    ASSERT_EQ(pmq_adopt(writer, "/writer", &w), PMQ_OK);
    EXPECT_EQ(pmq_send(r, "x", 1, 0), PMQ_EBADF);
    EXPECT_NE(std::strstr(pmq_last_error(), "\"/reader\""), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_recv_timed(w, buf_, sizeof buf_, nullptr, 0), PMQ_EBADF);
    EXPECT_EQ(pmq_wait(w, PMQ_READ, 0), PMQ_EBADF);
    EXPECT_EQ(pmq_send(w, "x", 1, 0), PMQ_OK);
    EXPECT_EQ(pmq_recv(r, buf_, sizeof buf_, nullptr), 1);
    pmq_close(r);
    pmq_close(w);
}

TEST_F(Adopt, KeepsANonBlockingDescriptorNonBlocking)
{
    const mqd_t fd = ::mq_open(name_.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_adopt(fd, "/nb", &q), PMQ_OK);
    EXPECT_EQ(pmq_recv(q, buf_, sizeof buf_, nullptr), PMQ_EAGAIN);
    pmq_attr attr{};
    ASSERT_EQ(pmq_getattr(q, &attr), PMQ_OK);
    EXPECT_EQ(attr.flags, PMQ_NONBLOCK);
    pmq_close(q);
}

// Whatever is refused stays exactly as it was: open, same flags.
void expect_refused_and_untouched(int fd, const char *what)
{
    const int fd_flags = fcntl(fd, F_GETFD), fl_flags = fcntl(fd, F_GETFL);
    pmq_queue *q = reinterpret_cast<pmq_queue *>(0x1);
    EXPECT_EQ(pmq_adopt(fd, "/not-a-queue", &q), PMQ_EINVAL) << what;
    EXPECT_NE(std::strstr(pmq_last_error(), "not a POSIX message queue"), nullptr)
        << what << ": " << pmq_last_error();
    EXPECT_NE(std::strstr(pmq_last_error(), "\"/not-a-queue\""), nullptr) << pmq_last_error();
    EXPECT_EQ(q, reinterpret_cast<pmq_queue *>(0x1)) << what << ": *out written";
    EXPECT_EQ(fcntl(fd, F_GETFD), fd_flags) << what;
    EXPECT_EQ(fcntl(fd, F_GETFL), fl_flags) << what;
}

TEST(AdoptRefuses, DescriptorsThatAreNotQueues)
{
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    expect_refused_and_untouched(pipe_fds[0], "a pipe");
    EXPECT_NE(std::strstr(pmq_last_error(), "a pipe"), nullptr) << pmq_last_error();
    int sockets[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sockets), 0);
    expect_refused_and_untouched(sockets[0], "a socket");
    const int file = open("/proc/self/status", O_RDONLY);
    expect_refused_and_untouched(file, "a regular file");
    const int event = eventfd(0, 0);
    expect_refused_and_untouched(event, "an eventfd");
    const int null = open("/dev/null", O_RDWR);
    expect_refused_and_untouched(null, "/dev/null");
    // Still usable: the pipe carries a byte.
    ASSERT_EQ(write(pipe_fds[1], "z", 1), 1);
    char c = 0;
    EXPECT_EQ(read(pipe_fds[0], &c, 1), 1);
    for (int fd : {pipe_fds[0], pipe_fds[1], sockets[0], sockets[1], file, event, null})
        EXPECT_EQ(close(fd), 0);
}

TEST(AdoptRefuses, ClosedAndNegativeDescriptors)
{
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_adopt(pipe_fds[0], "/gone", &q), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "not open"), nullptr) << pmq_last_error();
    EXPECT_EQ(pmq_adopt(-1, "/negative", &q), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "-1 is not a descriptor"), nullptr)
        << pmq_last_error();
    EXPECT_EQ(q, nullptr);
}

TEST_F(Adopt, NullOutPointerLeavesTheDescriptorAlone)
{
    EXPECT_EQ(pmq_adopt(raw_, "/x", nullptr), PMQ_EINVAL);
    EXPECT_NE(std::strstr(pmq_last_error(), "out pointer"), nullptr) << pmq_last_error();
    EXPECT_EQ(fcntl(raw_, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC); // mq_open's, unchanged
    struct mq_attr attr {};
    EXPECT_EQ(::mq_getattr(raw_, &attr), 0);
}

// fork + exec: the child program (adopt_child.c) adopts the descriptor the
// parent left open for it, answers, and closes it.
int run_child(int fd, const std::string &name)
{
    const char *child = std::getenv("PMQ_ADOPT_CHILD");
    if (child == nullptr)
        return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string number = std::to_string(fd);
        execl(child, child, number.c_str(), name.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(AdoptAcrossExec, TheChildAdoptsWhatTheParentPassed)
{
    if (std::getenv("PMQ_ADOPT_CHILD") == nullptr)
        GTEST_SKIP() << "PMQ_ADOPT_CHILD (the adopt_child program) is not set; meson sets it";
    UnlinkGuard name(unique_queue_name("adopt-exec"));
    pmq_queue *q = nullptr;
    ASSERT_EQ(pmq_create(name.c_str(), PMQ_READ | PMQ_WRITE, 0, 2, 16, &q), PMQ_OK);
    ASSERT_EQ(pmq_send(q, "ping", 4, 0), PMQ_OK);
    const int fd = pmq_fd(q);

    // libpmq's descriptors are close-on-exec: the child sees nothing open.
    EXPECT_EQ(run_child(fd, name.name()), 3);

    // Passed on purpose: the child adopts it, answers, and closes its copy.
    ASSERT_EQ(fcntl(fd, F_SETFD, 0), 0);
    EXPECT_EQ(run_child(fd, name.name()), 0);
    char buf[16];
    EXPECT_EQ(pmq_recv_timed(q, buf, sizeof buf, nullptr, 10000), 4);
    EXPECT_EQ(std::memcmp(buf, "pong", 4), 0);
    pmq_close(q);
}

} // namespace
