#include "name_calls.hpp"

#include <cerrno>

#include "descriptor_cache.hpp"
#include "message_io.hpp"
#include "queue_name.hpp"

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

// Cached descriptors are always blocking, so PMQ_NONBLOCK is served by a
// timeout of 0 (an already-expired deadline) instead of reopening with
// O_NONBLOCK; the explanation then names the flag the caller gave.
int timeout_for(unsigned flags)
{
    return (flags & open_flag::nonblock) ? 0 : -1;
}

Status explain_nonblocking(Status s, unsigned flags, const char *operation, const char *name,
                           bool sending)
{
    if (s.code() != Errc::would_block || !(flags & open_flag::nonblock))
        return s;
    return fail(Errc::would_block,
                "%s(\"%s\"): the queue is %s and PMQ_NONBLOCK was given; call again later, or "
                "without PMQ_NONBLOCK to wait",
                operation, name, sending ? "full" : "empty");
}

Status read_attributes(const char *operation, const char *name, mqd_t fd, Attributes *out)
{
    struct mq_attr attr {};
    if (::mq_getattr(fd, &attr) != 0) {
        char text[96];
        return fail(Errc::system, "%s(\"%s\"): mq_getattr failed with %s", operation, name,
                    describe_errno(errno, text, sizeof text));
    }
    *out = Attributes{attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs, false};
    return {};
}

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
    DescriptorLease lease;
    if (Status s = lease_descriptor(op, name, Access::send, &lease); !s.ok())
        return s;
    return explain_nonblocking(
        send_message({lease.get(), static_cast<mqd_t>(-1), nullptr}, nullptr, msg, len, priority,
                     timeout_for(flags), site), flags, op,
        name, true);
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
    DescriptorLease lease;
    if (Status s = lease_descriptor(op, name, Access::receive, &lease); !s.ok())
        return s;
    return explain_nonblocking(
        receive_message({lease.get(), static_cast<mqd_t>(-1), nullptr}, nullptr, buf, cap, priority,
                        timeout_for(flags), site, length),
        flags, op, name, false);
}

Status queue_info(const char *name, Attributes *out)
{
    constexpr const char *op = "pmq_info";
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    // Either direction will do for reading attributes: try reading, then writing.
    DescriptorLease lease;
    Status s = lease_descriptor(op, name, Access::receive, &lease);
    if (s.code() == Errc::permission_denied) {
        DescriptorLease write_lease;
        s = lease_descriptor(op, name, Access::send, &write_lease);
        if (s.ok())
            return read_attributes(op, name, write_lease.get(), out);
    }
    if (!s.ok())
        return s;
    return read_attributes(op, name, lease.get(), out);
}

} // namespace pmq::detail
