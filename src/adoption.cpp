#include "adoption.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>

#include <cerrno>

#include "queue_state.hpp"
#include "try_descriptor.hpp"

namespace pmq::detail {

namespace {

constexpr const char *op = "pmq_adopt";

// What fstat says the descriptor is, for the explanation.
const char *kind_of(int fd)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return "something fstat cannot describe";
    if (S_ISSOCK(st.st_mode))
        return "a socket";
    if (S_ISFIFO(st.st_mode))
        return "a pipe";
    if (S_ISCHR(st.st_mode))
        return "a character device";
    if (S_ISDIR(st.st_mode))
        return "a directory";
    if (S_ISREG(st.st_mode))
        return "a regular file (or an event or timer descriptor)";
    return "not a message queue";
}

Status explain_not_a_queue(int fd, int err, const char *label)
{
    if (err == EBADF && ::fcntl(fd, F_GETFD) < 0)
        return fail(Errc::invalid_argument,
                    "%s(%d, \"%s\"): descriptor %d is not open in this process; pass a descriptor "
                    "from mq_open, or the one systemd passes (3 and up, see LISTEN_FDS)",
                    op, fd, label, fd);
    if (err == EBADF)
        return fail(Errc::invalid_argument,
                    "%s(%d, \"%s\"): descriptor %d is %s, not a POSIX message queue; pass a "
                    "descriptor from mq_open, or one systemd passes for ListenMessageQueue=",
                    op, fd, label, fd, kind_of(fd));
    char text[96];
    return fail(Errc::system, "%s(%d, \"%s\"): mq_getattr failed with %s", op, fd, label,
                describe_errno(err, text, sizeof text));
}

} // namespace

Status adopt_queue(int fd, const char *name, Queue **out)
{
    const char *label = name != nullptr ? name : "";
    if (fd < 0)
        return fail(Errc::invalid_argument,
                    "%s(%d, \"%s\"): %d is not a descriptor; pass a message-queue descriptor "
                    "(0 or more)",
                    op, fd, label, fd);
    // Only a message queue answers mq_getattr; everything else is EBADF.
    struct mq_attr attr {};
    if (::mq_getattr(static_cast<mqd_t>(fd), &attr) != 0)
        return explain_not_a_queue(fd, errno, label);
    const int status_flags = ::fcntl(fd, F_GETFL);
    const int descriptor_flags = ::fcntl(fd, F_GETFD);
    if (status_flags < 0 || descriptor_flags < 0)
        return explain_not_a_queue(fd, errno, label);
    unsigned directions = 0;
    switch (status_flags & O_ACCMODE) {
    case O_RDONLY: directions = open_flag::read; break;
    case O_WRONLY: directions = open_flag::write; break;
    case O_RDWR: directions = open_flag::read | open_flag::write; break;
    default:
        return fail(Errc::invalid_argument,
                    "%s(%d, \"%s\"): descriptor %d is open for neither reading nor writing; "
                    "open the queue with O_RDONLY, O_WRONLY or O_RDWR",
                    op, fd, label, fd);
    }

    Queue *q = nullptr;
    if (Status s = new_handle(label, directions, &q); !s.ok())
        return s;
    // The last step that can fail: until here the descriptor is untouched.
    if ((descriptor_flags & FD_CLOEXEC) == 0 &&
        ::fcntl(fd, F_SETFD, descriptor_flags | FD_CLOEXEC) != 0) {
        const int err = errno;
        delete q;
        char text[96];
        return fail(Errc::system, "%s(%d, \"%s\"): making it close-on-exec failed with %s", op,
                    fd, label, describe_errno(err, text, sizeof text));
    }
    q->fd = static_cast<mqd_t>(fd);
    q->try_fd = open_try_descriptor(q->fd, status_flags & O_ACCMODE);
    q->nonblocking.store((status_flags & O_NONBLOCK) != 0, std::memory_order_relaxed);
    *out = q;
    return {};
}

} // namespace pmq::detail
