// The ways a program can send and receive that pmq-bench compares.  Each
// style is bound to one queue: its constructor opens what the style keeps
// open (nothing, for the open-per-call styles), outside any timing.
#pragma once

#include <pmq/pmq.h>

#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "bare_wrapper.h"
#include "failure.hpp"

namespace bench {

// Raw POSIX calls on a descriptor kept open: the baseline.
class RawStyle {
public:
    explicit RawStyle(const char *name) : fd_(::mq_open(name, O_RDWR | O_CLOEXEC))
    {
        if (fd_ == static_cast<mqd_t>(-1))
            die_errno("mq_open");
    }
    ~RawStyle() { ::mq_close(fd_); }
    RawStyle(const RawStyle &) = delete;
    RawStyle &operator=(const RawStyle &) = delete;

    void send(const char *msg, std::size_t len)
    {
        if (::mq_send(fd_, msg, len, 0) != 0)
            die_errno("mq_send");
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const ssize_t n = ::mq_receive(fd_, buf, cap, nullptr);
        if (n < 0)
            die_errno("mq_receive");
        return static_cast<std::size_t>(n);
    }

protected:
    mqd_t fd_;
};

// Raw timed calls as a program writes them: a CLOCK_REALTIME deadline 1 s
// ahead, computed for each call.
class RawTimedStyle : public RawStyle {
public:
    using RawStyle::RawStyle;
    void send(const char *msg, std::size_t len)
    {
        const struct timespec deadline = one_second_ahead();
        if (::mq_timedsend(fd_, msg, len, 0, &deadline) != 0)
            die_errno("mq_timedsend");
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const struct timespec deadline = one_second_ahead();
        const ssize_t n = ::mq_timedreceive(fd_, buf, cap, nullptr, &deadline);
        if (n < 0)
            die_errno("mq_timedreceive");
        return static_cast<std::size_t>(n);
    }

private:
    static struct timespec one_second_ahead()
    {
        struct timespec now {};
        ::clock_gettime(CLOCK_REALTIME, &now);
        now.tv_sec += 1;
        return now;
    }
};

// Raw calls through a function in a shared library that only turns failures
// into error codes: the floor of any library's handle calls (bare_wrapper.h).
class BareWrapperStyle : public RawStyle {
public:
    using RawStyle::RawStyle;
    void send(const char *msg, std::size_t len)
    {
        if (const int rc = bare_wrapper_send(fd_, msg, len, 0); rc != 0)
            die("mq_send", std::strerror(-rc));
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const ssize_t n = bare_wrapper_receive(fd_, buf, cap, nullptr);
        if (n < 0)
            die("mq_receive", std::strerror(static_cast<int>(-n)));
        return static_cast<std::size_t>(n);
    }
};

// Raw calls after the one check per call that open-use-close semantics need
// when descriptors are kept open (fstat of the descriptor: is the queue still
// linked?), with nothing else: the fastest any name-based design that checks
// each call can be, and so what the name-based pair's ratio to the seed is
// held against.  fstat(2) itself, as libpmq calls it where the kernel has it.
class CheckedRawStyle : public RawStyle {
public:
    using RawStyle::RawStyle;
    void send(const char *msg, std::size_t len)
    {
        check();
        RawStyle::send(msg, len);
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        check();
        return RawStyle::receive(buf, cap);
    }

private:
    void check()
    {
        struct stat st;
#ifdef SYS_fstat
        const long rc = ::syscall(SYS_fstat, fd_, &st);
#else
        const int rc = ::fstat(fd_, &st);
#endif
        if (rc != 0)
            die_errno("fstat");
        if (st.st_nlink == 0)
            die("fstat", "the benchmark's queue was unlinked while in use");
    }
};

// libpmq's handle calls.
class HandleStyle {
public:
    explicit HandleStyle(const char *name)
    {
        if (pmq_open(name, PMQ_READ | PMQ_WRITE, &q_) != 0)
            die_pmq("pmq_open");
    }
    ~HandleStyle() { pmq_close(q_); }
    HandleStyle(const HandleStyle &) = delete;
    HandleStyle &operator=(const HandleStyle &) = delete;

    void send(const char *msg, std::size_t len)
    {
        if (pmq_send(q_, msg, len, 0) != 0)
            die_pmq("pmq_send");
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const int n = pmq_recv(q_, buf, cap, nullptr);
        if (n < 0)
            die_pmq("pmq_recv");
        return static_cast<std::size_t>(n);
    }

protected:
    pmq_queue *q_ = nullptr;
};

// libpmq's timed handle calls, with the same 1 s timeout.
class HandleTimedStyle : public HandleStyle {
public:
    using HandleStyle::HandleStyle;
    void send(const char *msg, std::size_t len)
    {
        if (pmq_send_timed(q_, msg, len, 0, 1000) != 0)
            die_pmq("pmq_send_timed");
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const int n = pmq_recv_timed(q_, buf, cap, nullptr, 1000);
        if (n < 0)
            die_pmq("pmq_recv_timed");
        return static_cast<std::size_t>(n);
    }
};

// Waiting for a message, then taking it: poll() + mq_receive, as a program
// with an event loop writes it.  (The message is always there: this
// measures the cost of asking, not of waiting.)
class RawWaitStyle : public RawStyle {
public:
    using RawStyle::RawStyle;
    std::size_t receive(char *buf, std::size_t cap)
    {
        struct pollfd pfd = {fd_, POLLIN, 0};
        if (::poll(&pfd, 1, -1) != 1)
            die_errno("poll");
        return RawStyle::receive(buf, cap);
    }
};

// The same through the bare wrapper: the floor of pmq_wait + pmq_recv.
class BareWrapperWaitStyle : public BareWrapperStyle {
public:
    using BareWrapperStyle::BareWrapperStyle;
    std::size_t receive(char *buf, std::size_t cap)
    {
        if (const int rc = bare_wrapper_wait(fd_, POLLIN); rc < 0)
            die("poll", std::strerror(-rc));
        return BareWrapperStyle::receive(buf, cap);
    }
};

// libpmq 1.1: pmq_wait, then pmq_recv.
class HandleWaitStyle : public HandleStyle {
public:
    using HandleStyle::HandleStyle;
    std::size_t receive(char *buf, std::size_t cap)
    {
        if (pmq_wait(q_, PMQ_READ, -1) != static_cast<int>(PMQ_READ))
            die_pmq("pmq_wait");
        return HandleStyle::receive(buf, cap);
    }
};

// libpmq's name-based calls: no handle, one call per operation.
class NameStyle {
public:
    explicit NameStyle(const char *name) : name_(name) {}
    void send(const char *msg, std::size_t len)
    {
        if (pmq_send_to(name_, msg, len, 0, 0) != 0)
            die_pmq("pmq_send_to");
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const int n = pmq_recv_from(name_, buf, cap, nullptr, 0);
        if (n < 0)
            die_pmq("pmq_recv_from");
        return static_cast<std::size_t>(n);
    }

private:
    const char *name_;
};

// The seed (CHICKEN posix-mq) in C: mq-send opens, sends and closes; mq-recv
// opens, asks the message size, allocates a buffer, receives, closes.
class SeedStyle {
public:
    explicit SeedStyle(const char *name) : name_(name) {}
    void send(const char *msg, std::size_t len)
    {
        const mqd_t fd = ::mq_open(name_, O_WRONLY);
        if (fd == static_cast<mqd_t>(-1))
            die_errno("mq_open");
        if (::mq_send(fd, msg, len, 0) != 0)
            die_errno("mq_send");
        ::mq_close(fd);
    }
    std::size_t receive(char *buf, std::size_t cap)
    {
        const mqd_t fd = ::mq_open(name_, O_RDONLY);
        if (fd == static_cast<mqd_t>(-1))
            die_errno("mq_open");
        struct mq_attr attr {};
        if (::mq_getattr(fd, &attr) != 0)
            die_errno("mq_getattr");
        char *blob = static_cast<char *>(std::malloc(static_cast<std::size_t>(attr.mq_msgsize)));
        const ssize_t n = ::mq_receive(fd, blob, static_cast<std::size_t>(attr.mq_msgsize), nullptr);
        if (n < 0)
            die_errno("mq_receive");
        const std::size_t length = static_cast<std::size_t>(n);
        std::memcpy(buf, blob, length < cap ? length : cap);
        std::free(blob);
        ::mq_close(fd);
        return length;
    }

private:
    const char *name_;
};

} // namespace bench
