/* Does one operation on a ready queue between two getppid() markers, so that
 * count_syscalls.py can count, under strace, the system calls it made.
 *
 *   syscall_probe OPERATION
 *
 * Everything the operation needs (the queue, a waiting message, a warm
 * descriptor cache for the name-based calls) is set up before the first
 * marker.  Two control operations check the counter itself: "raw_send" is
 * one mq_send (1 call), "seed_send" opens, sends and closes as the seed did
 * (3 calls).  Exits 0 when the operation succeeded. */
#include <pmq/pmq.h>

#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { message_size = 64 };

static char name[64];
static pmq_queue *queue;
static char buffer[message_size];

static void mark(void) { (void)getppid(); }

/* Puts one message in the queue so that a receive finds it. */
static int fill(void) { return pmq_send(queue, "m", 1, 0); }

/* A name-based call before the measured one opens and caches the descriptor. */
static int warm_send_to(void)
{
    int rc = pmq_send_to(name, "w", 1, 0, 0);
    if (rc == 0)
        rc = pmq_recv(queue, buffer, sizeof buffer, NULL);
    return rc < 0 ? rc : 0;
}

static int warm_recv_from(void)
{
    int rc = fill();
    if (rc == 0)
        rc = pmq_recv_from(name, buffer, sizeof buffer, NULL, 0);
    if (rc >= 0)
        rc = fill();
    return rc < 0 ? rc : 0;
}

static int raw_send(void)
{
    mqd_t fd = mq_open(name, O_WRONLY);
    if (fd == (mqd_t)-1)
        return -1;
    mark();
    int rc = mq_send(fd, "r", 1, 0);
    mark();
    mq_close(fd);
    return rc;
}

static int seed_send(void)
{
    mark();
    mqd_t fd = mq_open(name, O_WRONLY);
    int rc = fd == (mqd_t)-1 ? -1 : mq_send(fd, "s", 1, 0);
    if (fd != (mqd_t)-1)
        mq_close(fd);
    mark();
    return rc;
}

static int run(const char *op)
{
    int rc = -1;
    if (strcmp(op, "raw_send") == 0)
        return raw_send();
    if (strcmp(op, "seed_send") == 0)
        return seed_send();
    if (strcmp(op, "send") == 0) {
        mark();
        rc = pmq_send(queue, "x", 1, 0);
        mark();
    } else if (strcmp(op, "recv") == 0) {
        if (fill() != 0)
            return -1;
        mark();
        rc = pmq_recv(queue, buffer, sizeof buffer, NULL);
        mark();
    } else if (strcmp(op, "send_timed") == 0) {
        mark();
        rc = pmq_send_timed(queue, "x", 1, 0, 1000);
        mark();
    } else if (strcmp(op, "recv_timed") == 0) {
        if (fill() != 0)
            return -1;
        mark();
        rc = pmq_recv_timed(queue, buffer, sizeof buffer, NULL, 1000);
        mark();
    } else if (strcmp(op, "send_to") == 0 || strcmp(op, "send_to_nonblock") == 0) {
        const unsigned flags = strcmp(op, "send_to") == 0 ? 0 : PMQ_NONBLOCK;
        if (warm_send_to() != 0)
            return -1;
        mark();
        rc = pmq_send_to(name, "x", 1, 0, flags);
        mark();
    } else if (strcmp(op, "recv_from") == 0 || strcmp(op, "recv_from_nonblock") == 0) {
        const unsigned flags = strcmp(op, "recv_from") == 0 ? 0 : PMQ_NONBLOCK;
        if (warm_recv_from() != 0)
            return -1;
        mark();
        rc = pmq_recv_from(name, buffer, sizeof buffer, NULL, flags);
        mark();
    } else if (strcmp(op, "info") == 0) {
        pmq_attr attr;
        if (pmq_info(name, &attr) != 0)
            return -1;
        mark();
        rc = pmq_info(name, &attr);
        mark();
    } else {
        fprintf(stderr, "syscall_probe: unknown operation '%s'\n", op);
        return -1;
    }
    return rc < 0 ? rc : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: syscall_probe OPERATION\n");
        return 2;
    }
    snprintf(name, sizeof name, "/pmqtest-syscalls-%ld", (long)getpid());
    int rc = pmq_create(name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0600, 4, message_size, &queue);
    if (rc != 0) {
        fprintf(stderr, "syscall_probe: pmq_create: %s\n", pmq_last_error());
        return 1;
    }
    rc = run(argv[1]);
    if (rc != 0)
        fprintf(stderr, "syscall_probe %s failed: %d %s\n", argv[1], rc, pmq_last_error());
    pmq_close(queue);
    pmq_unlink(name);
    return rc == 0 ? 0 : 1;
}
