/* Runs N send+receive pairs in one of several styles inside measured_pairs(),
 * the only function callgrind_overhead.py has callgrind count
 * (--toggle-collect), so that the styles' user-space instruction counts can
 * be compared with raw mq_send/mq_receive.
 *
 *   instruction_probe STYLE N      STYLE: raw, handle, timed, name
 *
 * Everything is warmed up (lazy binding, descriptor cache) before. */
#include <pmq/pmq.h>

#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { message_size = 64 };

static char name[64];
static pmq_queue *queue;
static mqd_t raw;
static const char message[16] = "fifteen bytes..";
static char buffer[message_size];

/* Not inlined: callgrind_overhead.py expects the raw calls to come from here. */
__attribute__((noinline)) static int one_pair(const char *style)
{
    switch (style[0]) {
    case 'r':
        if (mq_send(raw, message, sizeof message, 0) != 0)
            return -1;
        return mq_receive(raw, buffer, sizeof buffer, NULL) < 0 ? -1 : 0;
    case 'h':
        if (pmq_send(queue, message, sizeof message, 0) != 0)
            return -1;
        return pmq_recv(queue, buffer, sizeof buffer, NULL) < 0 ? -1 : 0;
    case 't':
        if (pmq_send_timed(queue, message, sizeof message, 0, 1000) != 0)
            return -1;
        return pmq_recv_timed(queue, buffer, sizeof buffer, NULL, 1000) < 0 ? -1 : 0;
    default:
        if (pmq_send_to(name, message, sizeof message, 0, 0) != 0)
            return -1;
        return pmq_recv_from(name, buffer, sizeof buffer, NULL, 0) < 0 ? -1 : 0;
    }
}

/* Not inlined: callgrind counts exactly this function and what it calls. */
__attribute__((noinline)) int measured_pairs(const char *style, long n)
{
    for (long i = 0; i < n; ++i)
        if (one_pair(style) != 0)
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || strchr("rhtn", argv[1][0]) == NULL) {
        fprintf(stderr, "usage: instruction_probe raw|handle|timed|name N\n");
        return 2;
    }
    snprintf(name, sizeof name, "/pmqtest-instructions-%ld", (long)getpid());
    if (pmq_create(name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0600, 4, message_size, &queue) != 0) {
        fprintf(stderr, "instruction_probe: %s\n", pmq_last_error());
        return 1;
    }
    raw = mq_open(name, O_RDWR);
    int rc = raw == (mqd_t)-1 ? -1 : 0;
    for (int i = 0; i < 3 && rc == 0; ++i) /* warm-up, every style */
        rc = one_pair("raw")  || one_pair("handle") || one_pair("timed") || one_pair("name");
    if (rc == 0)
        rc = measured_pairs(argv[1], atol(argv[2]));
    if (rc != 0)
        fprintf(stderr, "instruction_probe %s failed: %s\n", argv[1], pmq_last_error());
    mq_close(raw);
    pmq_close(queue);
    pmq_unlink(name);
    return rc == 0 ? 0 : 1;
}
