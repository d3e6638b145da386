/* The least any library can add to mq_send / mq_receive: a function in a
 * shared library that calls them and does nothing else.  pmq-bench measures
 * it beside libpmq, as the floor of the "libpmq / raw" column: a call into
 * a shared library, and its return after the system call, cost something
 * even when the function does no work (here about 2% of a 16-byte pair). */
#ifndef PMQ_BENCH_BARE_WRAPPER_H
#define PMQ_BENCH_BARE_WRAPPER_H

#include <mqueue.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

int bare_wrapper_send(mqd_t fd, const char *msg, size_t len, unsigned priority);
ssize_t bare_wrapper_receive(mqd_t fd, char *buf, size_t cap, unsigned *priority);

#ifdef __cplusplus
}
#endif

#endif
