/* A program that uses libpmq the way a packaged user does: compiled with
 * `pkg-config --cflags --libs pmq` against libpmq-dev, run against libpmq1.
 * It round-trips one message through a queue of its own and checks that the
 * header it was compiled with and the library it runs with agree. */
#include <pmq/pmq.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what, int code)
{
    fprintf(stderr, "consumer: %s: %s (%s): %s\n", what, pmq_err_name(code),
            pmq_strerror(code), pmq_last_error());
    return 1;
}

int main(void)
{
    if (pmq_version_number() != PMQ_VERSION_NUMBER) {
        fprintf(stderr, "consumer: compiled against pmq.h %s but running libpmq %s\n",
                PMQ_VERSION_STRING, pmq_version_string());
        return 1;
    }

    char name[64];
    snprintf(name, sizeof name, "/pmq-package-consumer-%ld", (long)getpid());

    pmq_queue *q = NULL;
    int rc = pmq_create(name, PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0, 4, 64, &q);
    if (rc < 0)
        return fail("pmq_create", rc);
    pmq_unlink(name); /* the queue lives on until closed; nothing is left behind */

    static const char sent[] = "hello from the package";
    rc = pmq_send(q, sent, sizeof sent, 3);
    if (rc < 0) {
        pmq_close(q);
        return fail("pmq_send", rc);
    }
    char got[64];
    unsigned priority = 0;
    rc = pmq_recv(q, got, sizeof got, &priority);
    pmq_close(q);
    if (rc < 0)
        return fail("pmq_recv", rc);
    if (rc != (int)sizeof sent || memcmp(got, sent, sizeof sent) != 0 || priority != 3) {
        fprintf(stderr, "consumer: received %d bytes at priority %u, not what was sent\n",
                rc, priority);
        return 1;
    }
    printf("consumer: libpmq %s round-tripped a message\n", pmq_version_string());
    return 0;
}
