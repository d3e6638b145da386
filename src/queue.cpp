#include "queue.hpp"

#include <fcntl.h>

#include <cerrno>
#include <new>

#include "descriptor_cache.hpp"
#include "message_io.hpp"
#include "notification.hpp"
#include "queue_io.hpp"
#include "queue_name.hpp"
#include "queue_state.hpp"
#include "system_limits.hpp"
#include "try_descriptor.hpp"

namespace pmq::detail {

namespace {

constexpr unsigned all_flags =
    open_flag::read | open_flag::write | open_flag::exclusive | open_flag::nonblock;
// Used when /proc does not say: the kernel's own defaults.
constexpr long fallback_msg_default = 10;
constexpr long fallback_msgsize_default = 8192;

Status check_flags(const char *operation, const char *name, unsigned flags, unsigned allowed)
{
    if ((flags & ~allowed) != 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%.64s\"): flags 0x%x contain unknown or inapplicable bits 0x%x; allowed "
                    "here: PMQ_READ, PMQ_WRITE%s, PMQ_NONBLOCK",
                    operation, name ? name : "", flags, flags & ~allowed,
                    (allowed & open_flag::exclusive) ? ", PMQ_EXCL" : "");
    if ((flags & (open_flag::read | open_flag::write)) == 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%.64s\"): flags 0x%x name no direction; add PMQ_READ, PMQ_WRITE or both",
                    operation, name ? name : "", flags);
    return {};
}

// What the kernel uses when it is given no attributes: the default, but never
// more than the maximum.
long system_default(std::int64_t default_value, std::int64_t max_value, long fallback)
{
    if (default_value <= 0)
        return fallback;
    if (max_value > 0 && max_value < default_value)
        return static_cast<long>(max_value);
    return static_cast<long>(default_value);
}

int access_mode(unsigned directions)
{
    if ((directions & open_flag::read) && (directions & open_flag::write))
        return O_RDWR;
    return (directions & open_flag::write) ? O_WRONLY : O_RDONLY;
}

Status open_handle(const char *operation, const char *name, unsigned flags, int oflag,
                   unsigned mode, const struct mq_attr *attr, Queue **out)
{
    Queue *q = nullptr;
    if (Status s = new_handle(name, flags, &q); !s.ok())
        return s;
    if (Status s = open_descriptor(operation, name, oflag, mode, attr, &q->fd); !s.ok()) {
        delete q;
        return s;
    }
    q->try_fd = open_try_descriptor(q->fd, oflag & O_ACCMODE);
    q->nonblocking.store((oflag & O_NONBLOCK) != 0, std::memory_order_relaxed);
    *out = q;
    return {};
}

} // namespace

Status new_handle(const char *name, unsigned flags, Queue **out)
{
    Queue *q = new (std::nothrow) Queue;
    if (q == nullptr)
        return fail(Errc::no_memory, "out of memory for a queue handle");
    try {
        q->name = name;
    } catch (const std::bad_alloc &) {
        delete q;
        return fail(Errc::no_memory, "out of memory for a queue handle");
    }
    q->directions = flags & (open_flag::read | open_flag::write);
    *out = q;
    return {};
}

bool platform_supported()
{
    return true;
}

Status open_descriptor(const char *operation, const char *name, int oflag, unsigned mode,
                       const struct mq_attr *attr, mqd_t *out)
{
    // glibc's mq_open adds O_CLOEXEC itself; saying it again documents the promise.
    const auto open_once = [&] {
        return ::mq_open(name, oflag | O_CLOEXEC, static_cast<mode_t>(mode),
                         const_cast<struct mq_attr *>(attr));
    };
    mqd_t fd = open_once();
    // A limit may be held by the name-based calls' idle descriptors (for
    // example of queues another process unlinked): free them and try once more.
    if (fd == static_cast<mqd_t>(-1) && (errno == EMFILE || errno == ENFILE || errno == ENOSPC) &&
        release_idle_descriptors())
        fd = open_once();
    if (fd == static_cast<mqd_t>(-1))
        return diagnose_open_failure(errno, operation, name, (oflag & O_CREAT) != 0,
                                     attr ? attr->mq_maxmsg : 0, attr ? attr->mq_msgsize : 0);
    *out = fd;
    return {};
}

Status create_queue(const char *name, unsigned flags, unsigned mode, std::int64_t max_messages,
                    std::int64_t message_size, Queue **out)
{
    return create_queue_as("pmq_create", name, flags, mode, max_messages, message_size, out);
}

Status create_queue_as(const char *op, const char *name, unsigned flags, unsigned mode,
                       std::int64_t max_messages, std::int64_t message_size, Queue **out)
{
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    if (Status s = check_flags(op, name, flags, all_flags); !s.ok())
        return s;
    if (mode > 0777)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): mode 0%o has bits beyond the permission bits 0777; use for "
                    "example 0600 (owner only) or 0660 (owner and group)",
                    op, name, mode);
    if (max_messages < 0 || message_size < 0)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): max_messages (%lld) and message_size (%lld) must be positive, or "
                    "0 for the system default",
                    op, name, static_cast<long long>(max_messages),
                    static_cast<long long>(message_size));

    // Checked here, not left to the kernel: no setting raises these, and a
    // value beyond them might not even fit the kernel's long (32-bit systems).
    if (max_messages > hard_msg_max || message_size > hard_msgsize_max)
        return fail(Errc::limit,
                    "%s(\"%s\"): max_messages %lld / message_size %lld exceed the kernel's hard "
                    "ceilings (%lld messages, %lld bytes), which no setting raises",
                    op, name, static_cast<long long>(max_messages),
                    static_cast<long long>(message_size), static_cast<long long>(hard_msg_max),
                    static_cast<long long>(hard_msgsize_max));

    struct mq_attr attr {};
    const struct mq_attr *wanted = nullptr;
    if (max_messages != 0 || message_size != 0) {
        // The kernel needs both fields; 0 means what it would choose itself.
        const SystemLimits limits = read_system_limits();
        attr.mq_maxmsg = max_messages != 0
                             ? max_messages
                             : system_default(limits.msg_default, limits.msg_max,
                                              fallback_msg_default);
        attr.mq_msgsize = message_size != 0
                              ? message_size
                              : system_default(limits.msgsize_default, limits.msgsize_max,
                                               fallback_msgsize_default);
        wanted = &attr;
    }
    int oflag = O_CREAT | access_mode(flags);
    if (flags & open_flag::exclusive)
        oflag |= O_EXCL;
    if (flags & open_flag::nonblock)
        oflag |= O_NONBLOCK;
    return open_handle(op, name, flags, oflag, mode != 0 ? mode : 0600, wanted, out);
}

Status open_queue(const char *name, unsigned flags, Queue **out)
{
    constexpr const char *op = "pmq_open";
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    if (flags & open_flag::exclusive)
        return fail(Errc::invalid_argument,
                    "%s(\"%s\"): PMQ_EXCL applies only to pmq_create; pmq_open never creates",
                    op, name);
    if (Status s = check_flags(op, name, flags, all_flags & ~open_flag::exclusive); !s.ok())
        return s;
    int oflag = access_mode(flags);
    if (flags & open_flag::nonblock)
        oflag |= O_NONBLOCK;
    return open_handle(op, name, flags, oflag, 0, nullptr, out);
}

Status close_queue(Queue *q)
{
    cancel_notification_for_close(*q);
    if (q->try_fd != static_cast<mqd_t>(-1))
        ::mq_close(q->try_fd);
    const int rc = ::mq_close(q->fd);
    const int err = errno;
    delete q;
    if (rc != 0) {
        char text[96];
        return fail(Errc::system, "pmq_close: mq_close failed with %s",
                    describe_errno(err, text, sizeof text));
    }
    return {};
}

Status unlink_queue(const char *name)
{
    constexpr const char *op = "pmq_unlink";
    if (Status s = check_queue_name(name, op); !s.ok())
        return s;
    if (::mq_unlink(name) == 0) {
        forget_descriptors(name); // free the queue now, as it would be without the cache
        return {};
    }
    const int err = errno;
    if (err == EACCES || err == EPERM)
        return fail(Errc::permission_denied,
                    "%s(\"%s\"): only the queue's owner (or a process with CAP_FOWNER) may "
                    "unlink it",
                    op, name);
    if (err == ENOENT)
        return fail(Errc::not_found,
                    "%s(\"%s\"): no queue has this name; it may have been unlinked already",
                    op, name);
    return diagnose_open_failure(err, op, name, false, 0, 0);
}

Status explain_wrong_direction(const Queue &q, unsigned needed, const char *operation)
{
    const bool send = needed == open_flag::write;
    return fail(Errc::bad_direction,
                "%s(\"%s\"): the handle was opened without %s; open the queue with %s to %s",
                operation, q.name.c_str(), send ? "PMQ_WRITE" : "PMQ_READ",
                send ? "PMQ_WRITE" : "PMQ_READ", send ? "send" : "receive");
}

Status queue_attributes(Queue &q, Attributes *out)
{
    struct mq_attr attr {};
    if (::mq_getattr(q.fd, &attr) != 0) {
        char text[96];
        return fail(Errc::system, "pmq_getattr(\"%s\"): mq_getattr failed with %s",
                    q.name.c_str(), describe_errno(errno, text, sizeof text));
    }
    *out = Attributes{attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs,
                      (attr.mq_flags & O_NONBLOCK) != 0};
    return {};
}

Status queue_set_nonblocking(Queue &q, bool on)
{
    struct mq_attr attr {};
    attr.mq_flags = on ? O_NONBLOCK : 0;
    if (::mq_setattr(q.fd, &attr, nullptr) != 0) {
        char text[96];
        return fail(Errc::system, "pmq_set_nonblocking(\"%s\"): mq_setattr failed with %s",
                    q.name.c_str(), describe_errno(errno, text, sizeof text));
    }
    q.nonblocking.store(on, std::memory_order_relaxed);
    return {};
}

Status queue_descriptor(Queue &q, int *fd)
{
    *fd = static_cast<int>(q.fd); // on Linux an mqd_t is a file descriptor
    return {};
}

const char *queue_name(const Queue &q)
{
    return q.name.c_str();
}

} // namespace pmq::detail
