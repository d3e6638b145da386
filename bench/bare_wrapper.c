#include "bare_wrapper.h"

#include <errno.h>
#include <poll.h>

int bare_wrapper_send(mqd_t fd, const char *msg, size_t len, unsigned priority)
{
    return mq_send(fd, msg, len, priority) == 0 ? 0 : -errno;
}

ssize_t bare_wrapper_receive(mqd_t fd, char *buf, size_t cap, unsigned *priority)
{
    const ssize_t n = mq_receive(fd, buf, cap, priority);
    return n >= 0 ? n : -errno;
}

int bare_wrapper_wait(mqd_t fd, short events)
{
    struct pollfd pfd = {fd, events, 0};
    return poll(&pfd, 1, -1) >= 0 ? pfd.revents : -errno;
}
