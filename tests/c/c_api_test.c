/* Drives the facade from real C (leveldb's c_test.c in spirit): the calls a C
 * program makes, in the order it makes them, with the checks it would do. */
#include <pmq/pmq.h>

#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;
static const char *phase = "";

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: [%s] check failed: %s (last error: %s)\n", __FILE__,    \
                    __LINE__, phase, #cond, pmq_last_error());                              \
            ++failures;                                                                     \
        }                                                                                   \
    } while (0)

#define CHECK_CODE(expr, want) CHECK((expr) == (want))

static void start_phase(const char *name)
{
    phase = name;
    fprintf(stderr, "=== %s\n", name);
}

int main(void)
{
    char name[64];
    char buf[128];
    static const char oversized[129];
    unsigned priority = 99;
    pmq_queue *q = NULL;
    pmq_attr attr;
    pmq_limits limits;
    int n;

    snprintf(name, sizeof name, "/pmqtest-c-%ld", (long)getpid());

    start_phase("version");
    CHECK(pmq_supported() == 1);
    CHECK(pmq_version_number() == PMQ_VERSION_NUMBER);
    CHECK(strcmp(pmq_version_string(), PMQ_VERSION_STRING) == 0);

    start_phase("create");
    CHECK_CODE(pmq_create(name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0, 4, 128, &q), PMQ_OK);
    CHECK(q != NULL);
    CHECK(strcmp(pmq_name(q), name) == 0);
    CHECK(pmq_fd(q) >= 0);

    start_phase("send and receive");
    CHECK_CODE(pmq_send(q, "low", 3, 1), PMQ_OK);
    CHECK_CODE(pmq_send_timed(q, "high", 4, 5, 100), PMQ_OK);
    CHECK_CODE(pmq_getattr(q, &attr), PMQ_OK);
    CHECK(attr.max_messages == 4 && attr.message_size == 128 && attr.current_messages == 2);
    n = pmq_recv(q, buf, sizeof buf, &priority);
    CHECK(n == 4 && memcmp(buf, "high", 4) == 0 && priority == 5);
    n = pmq_recv_timed(q, buf, sizeof buf, &priority, 100);
    CHECK(n == 3 && memcmp(buf, "low", 3) == 0 && priority == 1);
    CHECK_CODE(pmq_recv_timed(q, buf, sizeof buf, &priority, 0), PMQ_EAGAIN);
    CHECK_CODE(pmq_recv_timed(q, buf, sizeof buf, &priority, 20), PMQ_ETIMEDOUT);

    start_phase("name-based calls");
    CHECK_CODE(pmq_send_to(name, "byname", 6, 2, 0), PMQ_OK);
    CHECK_CODE(pmq_info(name, &attr), PMQ_OK);
    CHECK(attr.current_messages == 1);
    n = pmq_recv_from(name, buf, sizeof buf, &priority, PMQ_NONBLOCK);
    CHECK(n == 6 && priority == 2);

    start_phase("errors");
    CHECK_CODE(pmq_create(name, PMQ_READ | PMQ_EXCL, 0, 4, 128, &q), PMQ_EEXIST);
    CHECK(strstr(pmq_last_error(), name) != NULL);
    CHECK_CODE(pmq_send(q, oversized, sizeof oversized, 0), PMQ_EMSGSIZE);
    CHECK_CODE(pmq_recv(q, buf, 10, NULL), PMQ_EMSGSIZE);
    CHECK_CODE(pmq_send(q, "x", 1, 40000u), PMQ_EINVAL);
    CHECK_CODE(pmq_open("nope", PMQ_READ, &q), PMQ_ENAME);
    CHECK_CODE(pmq_open(name, 0x40u, &q), PMQ_EINVAL);
    CHECK(strcmp(pmq_err_name(PMQ_ELIMIT), "PMQ_ELIMIT") == 0);
    CHECK(strlen(pmq_strerror(PMQ_ESYS)) > 0);

    start_phase("limits");
    CHECK_CODE(pmq_get_limits(&limits), PMQ_OK);
    CHECK(limits.prio_max == 32768 && limits.name_max == 255 && limits.msg_max > 0);

    start_phase("1.1: wait, interrupt, resume");
    CHECK_CODE(pmq_wait(q, PMQ_READ | PMQ_WRITE, 0), (int)PMQ_WRITE);
    CHECK_CODE(pmq_wait(q, PMQ_READ, 0), PMQ_EAGAIN);
    CHECK_CODE(pmq_wait(q, PMQ_READ, 20), PMQ_ETIMEDOUT);
    CHECK_CODE(pmq_send(q, "w", 1, 0), PMQ_OK);
    CHECK_CODE(pmq_wait(q, PMQ_READ, -1), (int)PMQ_READ);
    CHECK_CODE(pmq_wait(q, 0x10u, 0), PMQ_EINVAL);
    CHECK_CODE(pmq_wait(NULL, PMQ_READ, 0), PMQ_EINVAL);
    CHECK_CODE(pmq_interrupt(q), PMQ_OK);
    CHECK_CODE(pmq_recv(q, buf, sizeof buf, NULL), 1); /* ready: not refused */
    CHECK_CODE(pmq_recv(q, buf, sizeof buf, NULL), PMQ_ECANCELED);
    CHECK(strstr(pmq_last_error(), "pmq_interrupt") != NULL);
    CHECK(strcmp(pmq_err_name(PMQ_ECANCELED), "PMQ_ECANCELED") == 0);
    CHECK(strcmp(pmq_strerror(PMQ_ECANCELED), "interrupted by pmq_interrupt") == 0);
    CHECK_CODE(pmq_wait(q, PMQ_READ, 1000), PMQ_ECANCELED);
    CHECK_CODE(pmq_resume(q), PMQ_OK);
    CHECK_CODE(pmq_recv_timed(q, buf, sizeof buf, NULL, 20), PMQ_ETIMEDOUT);
    CHECK_CODE(pmq_interrupt(NULL), PMQ_EINVAL);
    CHECK_CODE(pmq_resume(NULL), PMQ_EINVAL);

    start_phase("1.1: adopt");
    {
        pmq_queue *adopted = NULL;
        int fds[2];
        mqd_t raw = mq_open(name, O_WRONLY);
        CHECK(raw >= 0);
        CHECK_CODE(pmq_adopt((int)raw, name, &adopted), PMQ_OK);
        CHECK(adopted != NULL && pmq_fd(adopted) == (int)raw);
        CHECK(strcmp(pmq_name(adopted), name) == 0);
        CHECK_CODE(pmq_send(adopted, "adopted", 7, 0), PMQ_OK);
        CHECK_CODE(pmq_recv(adopted, buf, sizeof buf, NULL), PMQ_EBADF);
        CHECK_CODE(pmq_close(adopted), PMQ_OK);
        CHECK(fcntl((int)raw, F_GETFD) == -1); /* closed with the handle */
        CHECK_CODE(pmq_recv(q, buf, sizeof buf, NULL), 7);
        CHECK(pipe(fds) == 0);
        CHECK_CODE(pmq_adopt(fds[0], "/pipe", &adopted), PMQ_EINVAL);
        CHECK(strstr(pmq_last_error(), "not a POSIX message queue") != NULL);
        CHECK(close(fds[0]) == 0 && close(fds[1]) == 0); /* still open: untouched */
        CHECK_CODE(pmq_adopt(-1, NULL, &adopted), PMQ_EINVAL);
        CHECK_CODE(pmq_adopt(0, NULL, NULL), PMQ_EINVAL);
    }

    start_phase("1.1: create_unique");
    {
        pmq_queue *reply = NULL;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "/pmqtest-c-reply-%ld-", (long)getpid());
        CHECK_CODE(pmq_create_unique(prefix, PMQ_READ, 0, 2, 64, &reply), PMQ_OK);
        CHECK(reply != NULL && strncmp(pmq_name(reply), prefix, strlen(prefix)) == 0);
        CHECK(strlen(pmq_name(reply)) == strlen(prefix) + 16);
        CHECK_CODE(pmq_info(pmq_name(reply), &attr), PMQ_OK);
        CHECK(attr.max_messages == 2 && attr.message_size == 64);
        CHECK_CODE(pmq_unlink(pmq_name(reply)), PMQ_OK);
        CHECK_CODE(pmq_close(reply), PMQ_OK);
        CHECK_CODE(pmq_create_unique("no-slash", PMQ_READ, 0, 0, 0, &reply), PMQ_ENAME);
        CHECK_CODE(pmq_create_unique(prefix, PMQ_READ, 0, 0, 0, NULL), PMQ_EINVAL);
    }

    start_phase("close and unlink");
    CHECK_CODE(pmq_set_nonblocking(q, 1), PMQ_OK);
    CHECK_CODE(pmq_recv(q, buf, sizeof buf, NULL), PMQ_EAGAIN);
    CHECK_CODE(pmq_close(q), PMQ_OK);
    CHECK_CODE(pmq_close(NULL), PMQ_OK);
    CHECK_CODE(pmq_unlink(name), PMQ_OK);
    CHECK_CODE(pmq_unlink(name), PMQ_ENOENT);

    if (failures == 0)
        printf("c_api_test: all checks passed\n");
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
