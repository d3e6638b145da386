/* The seed's example (posix-mq's documentation), in C: create a queue of 10
 * messages of 1000 bytes, send "Hello, world!", receive it, print both, unlink. */
#include <pmq/pmq.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "hello: %s failed: %s (%s)\n", what, pmq_err_name(rc), pmq_last_error());
    return EXIT_FAILURE;
}

int main(void)
{
    char name[64];
    const char *text = "Hello, world!";
    char buf[1000];
    unsigned priority = 0;
    pmq_queue *q = NULL;
    int n;
    int rc;

    printf("%s\n", pmq_supported() ? "#t" : "#f");
    /* The seed used a random number below 100; the pid keeps runs apart. */
    srand((unsigned)time(NULL));
    snprintf(name, sizeof name, "/mqtest%d-%ld", rand() % 100, (long)getpid());

    rc = pmq_create(name, PMQ_READ | PMQ_WRITE, 0, 10, 1000, &q);
    if (rc < 0)
        return fail("pmq_create", rc);
    printf("sending %s\n", text);
    rc = pmq_send(q, text, strlen(text), 0);
    if (rc < 0) {
        pmq_close(q);
        pmq_unlink(name);
        return fail("pmq_send", rc);
    }
    n = pmq_recv(q, buf, sizeof buf, &priority);
    pmq_close(q);
    pmq_unlink(name);
    if (n < 0)
        return fail("pmq_recv", n);
    printf("received %.*s (priority %u)\n", n, buf, priority);
    return EXIT_SUCCESS;
}
