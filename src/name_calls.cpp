#include "name_calls.hpp"

#include <fcntl.h>

#include "message_io.hpp"
#include "queue_name.hpp"
#include "queue_state.hpp"

namespace pmq::detail {

namespace {

Status check_name_flags(const char *operation, const char *name, unsigned flags)
{
    if ((flags & ~open_flag::nonblock) != 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): flags 0x%x: the only flag allowed here is PMQ_NONBLOCK (the "
                    "direction is implied by the call)",
                    operation, name, flags);
    return {};
}

// Closes the descriptor when the call is done, whatever path it takes.
class ScopedDescriptor {
public:
    explicit ScopedDescriptor(mqd_t fd) : fd_(fd) {}
    ScopedDescriptor(const ScopedDescriptor &) = delete;
    ScopedDescriptor &operator=(const ScopedDescriptor &) = delete;
    ~ScopedDescriptor() { ::mq_close(fd_); }
    mqd_t get() const { return fd_; }

private:
    mqd_t fd_;
};

} // namespace

Status send_to(const char *name, const void *msg, std::size_t len, unsigned priority,
               unsigned flags)
{
    constexpr const char *op = "pmq_send_to";
    const CallSite site{op, name};
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    if (Status s = check_name_flags(op, name, flags); !s.ok())
        return s;
    if (Status s = check_send_arguments(msg, len, priority, site); !s.ok())
        return s;
    const int oflag = O_WRONLY | ((flags & open_flag::nonblock) ? O_NONBLOCK : 0);
    mqd_t fd;
    if (Status s = open_descriptor(op, name, oflag, 0, nullptr, &fd); !s.ok())
        return s;
    const ScopedDescriptor held(fd);
    return send_message(fd, msg, len, priority, -1, site);
}

Status receive_from(const char *name, void *buf, std::size_t cap, unsigned *priority,
                    unsigned flags, std::size_t *length)
{
    constexpr const char *op = "pmq_recv_from";
    const CallSite site{op, name};
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    if (Status s = check_name_flags(op, name, flags); !s.ok())
        return s;
    if (Status s = check_receive_arguments(buf, site); !s.ok())
        return s;
    const int oflag = O_RDONLY | ((flags & open_flag::nonblock) ? O_NONBLOCK : 0);
    mqd_t fd;
    if (Status s = open_descriptor(op, name, oflag, 0, nullptr, &fd); !s.ok())
        return s;
    const ScopedDescriptor held(fd);
    return receive_message(fd, buf, cap, priority, -1, site, length);
}

Status queue_info(const char *name, Attributes *out)
{
    constexpr const char *op = "pmq_info";
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    // Either direction will do for reading attributes: try reading, then writing.
    mqd_t fd;
    Status s = open_descriptor(op, name, O_RDONLY, 0, nullptr, &fd);
    if (s.code() == Errc::permission_denied)
        s = open_descriptor(op, name, O_WRONLY, 0, nullptr, &fd);
    if (!s.ok())
        return s;
    const ScopedDescriptor held(fd);
    struct mq_attr attr {};
    if (::mq_getattr(fd, &attr) != 0)
        return fail(Errc::system, "%s(\"%s\"): mq_getattr failed", op, name);
    *out = Attributes{attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs, false};
    return {};
}

} // namespace pmq::detail
