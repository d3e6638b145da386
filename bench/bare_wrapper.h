/* The least a library can add to mq_send / mq_receive: a function in a
 * shared library that calls them and turns a failure into an error code
 * (-errno), as any library that reports its own errors must, and does nothing
 * else.  That last step keeps the call from being a tail call: like libpmq's,
 * it returns through its own frame after the system call.  pmq-bench measures
 * it beside libpmq as the floor of the "libpmq / raw" column. */
#ifndef PMQ_BENCH_BARE_WRAPPER_H
#define PMQ_BENCH_BARE_WRAPPER_H

#include <mqueue.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0, or -errno. */
int bare_wrapper_send(mqd_t fd, const char *msg, size_t len, unsigned priority);
/* The message's length, or -errno. */
ssize_t bare_wrapper_receive(mqd_t fd, char *buf, size_t cap, unsigned *priority);
/* poll() for `events` (POLLIN / POLLOUT) with no timeout: the ready events,
 * or -errno.  The floor of pmq_wait. */
int bare_wrapper_wait(mqd_t fd, short events);

#ifdef __cplusplus
}
#endif

#endif
