#include "system_limits.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "queue_name.hpp"

namespace pmq::detail {

namespace {

// Kernel bookkeeping per message (struct msg_msg) and per priority level
// (struct posix_msg_tree_node) on 64-bit Linux.
constexpr std::int64_t msg_header_bytes = 48;
constexpr std::int64_t priority_node_bytes = 48;
constexpr std::int64_t linux_prio_max = 32768;

// Reads one integer from a /proc file with plain system calls (no allocation).
// Cancellation is held off between open and close, so that a cancelled
// pmq_create leaks no descriptor.
std::int64_t read_proc_integer(const char *path)
{
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    char text[32];
    const ssize_t n = fd < 0 ? -1 : ::read(fd, text, sizeof text - 1);
    if (fd >= 0)
        ::close(fd);
    pthread_setcancelstate(cancel_state, nullptr);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    char *end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    return end == text ? -1 : value;
}

// True when this process cannot open one more file: RLIMIT_NOFILE, not the queue limit.
bool out_of_descriptors()
{
    const int probe = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (probe >= 0) {
        ::close(probe);
        return false;
    }
    return errno == EMFILE;
}

} // namespace

SystemLimits read_system_limits()
{
    SystemLimits limits{};
    const long prio = ::sysconf(_SC_MQ_PRIO_MAX);
    limits.prio_max = prio > 0 ? prio : linux_prio_max;
    limits.name_max = static_cast<std::int64_t>(max_name_length);
    limits.msg_max = read_proc_integer("/proc/sys/fs/mqueue/msg_max");
    limits.msgsize_max = read_proc_integer("/proc/sys/fs/mqueue/msgsize_max");
    limits.msg_default = read_proc_integer("/proc/sys/fs/mqueue/msg_default");
    limits.msgsize_default = read_proc_integer("/proc/sys/fs/mqueue/msgsize_default");
    limits.queues_max = read_proc_integer("/proc/sys/fs/mqueue/queues_max");
    struct rlimit rl {};
    if (::getrlimit(RLIMIT_MSGQUEUE, &rl) == 0)
        limits.rlimit_msgqueue =
            rl.rlim_cur == RLIM_INFINITY ? -1 : static_cast<std::int64_t>(rl.rlim_cur);
    else
        limits.rlimit_msgqueue = -1;
    return limits;
}

std::int64_t queue_footprint(std::int64_t max_messages, std::int64_t message_size)
{
    if (max_messages <= 0 || message_size <= 0 || max_messages > hard_msg_max ||
        message_size > hard_msgsize_max)
        return -1; // unknown, or more than the kernel would ever allocate
    return max_messages * msg_header_bytes +
           std::min(max_messages, linux_prio_max) * priority_node_bytes +
           max_messages * message_size;
}

Status diagnose_open_failure(int err, const char *operation, const char *name, bool creating,
                             std::int64_t max_messages, std::int64_t message_size)
{
    switch (err) {
    case ENOENT:
        return fail(Errc::not_found,
                    "%s(\"%s\"): no queue has this name; create it first (pmq_create), or check "
                    "the spelling",
                    operation, name);
    case EEXIST:
        return fail(Errc::exists,
                    "%s(\"%s\"): a queue with this name already exists and PMQ_EXCL was given; "
                    "unlink it first or drop PMQ_EXCL to open it",
                    operation, name);
    case EACCES:
        return fail(Errc::permission_denied,
                    "%s(\"%s\"): permission denied: this user may not open the queue this "
                    "way; its owner and mode exclude you (pmq_create asks for 0600, owner only, "
                    "unless its caller gives a wider mode, and the creator's umask may "
                    "remove more)",
                    operation, name);
    case ENAMETOOLONG:
        return fail(Errc::bad_name, "%s(\"%.32s...\"): the name is too long for this system",
                    operation, name);
    case ENOMEM:
        return fail(Errc::no_memory, "%s(\"%s\"): the kernel is out of memory", operation, name);
    case ENFILE:
        return fail(Errc::limit,
                    "%s(\"%s\"): the system-wide limit on open files is reached; raise it with "
                    "'sysctl fs.file-max=N' or close files",
                    operation, name);
    case ENOSPC: {
        const std::int64_t queues_max = read_system_limits().queues_max;
        return fail(Errc::limit,
                    "%s(\"%s\"): the system already has fs.mqueue.queues_max (%lld) queues; "
                    "unlink unused ones or raise it with 'sysctl fs.mqueue.queues_max=%lld'",
                    operation, name, static_cast<long long>(queues_max),
                    static_cast<long long>(queues_max > 0 ? queues_max * 2 : 512));
    }
    case EMFILE: {
        // Only creating a queue charges RLIMIT_MSGQUEUE; otherwise EMFILE is the file limit.
        if (!creating || out_of_descriptors()) {
            struct rlimit rl {};
            ::getrlimit(RLIMIT_NOFILE, &rl);
            return fail(Errc::limit,
                        "%s(\"%s\"): this process has reached its open-file limit "
                        "(RLIMIT_NOFILE %llu); close descriptors or raise it with 'ulimit -n'",
                        operation, name, static_cast<unsigned long long>(rl.rlim_cur));
        }
        const SystemLimits limits = read_system_limits();
        const std::int64_t need =
            queue_footprint(max_messages > 0 ? max_messages : limits.msg_default,
                            message_size > 0 ? message_size : limits.msgsize_default);
        char needs[64] = "";
        if (need > 0)
            std::snprintf(needs, sizeof needs, ", which needs about %lld bytes",
                          static_cast<long long>(need));
        return fail(Errc::limit,
                    "%s(\"%s\"): RLIMIT_MSGQUEUE (%lld bytes for all of this user's queues) "
                    "cannot hold this queue%s; unlink unused queues, make this one smaller, or "
                    "raise the limit with 'ulimit -q BYTES' (or LimitMSGQUEUE= in a systemd "
                    "unit)",
                    operation, name, static_cast<long long>(limits.rlimit_msgqueue), needs);
    }
    case EINVAL:
        if (creating) {
            const SystemLimits limits = read_system_limits();
            if (limits.msg_max > 0 && max_messages > limits.msg_max)
                return fail(Errc::limit,
                            "%s(\"%s\"): max_messages %lld exceeds fs.mqueue.msg_max (%lld) for "
                            "a process without CAP_SYS_RESOURCE; raise it with 'sysctl "
                            "fs.mqueue.msg_max=%lld'",
                            operation, name, static_cast<long long>(max_messages),
                            static_cast<long long>(limits.msg_max),
                            static_cast<long long>(max_messages));
            if (limits.msgsize_max > 0 && message_size > limits.msgsize_max)
                return fail(Errc::limit,
                            "%s(\"%s\"): message_size %lld exceeds fs.mqueue.msgsize_max (%lld) "
                            "for a process without CAP_SYS_RESOURCE; raise it with 'sysctl "
                            "fs.mqueue.msgsize_max=%lld'",
                            operation, name, static_cast<long long>(message_size),
                            static_cast<long long>(limits.msgsize_max),
                            static_cast<long long>(message_size));
        }
        [[fallthrough]];
    default: {
        char text[96];
        return fail(Errc::system, "%s(\"%s\"): mq_open failed with %s", operation, name,
                    describe_errno(err, text, sizeof text));
    }
    }
}

} // namespace pmq::detail
