/* Run by adoption_test.cpp after fork+exec: adopts descriptor argv[1] under
 * the name argv[2], receives one message ("ping"), answers "pong", and checks
 * what pmq_adopt promises about the descriptor.  Exit 0 if all held; else
 * prints what failed.  Written in C, as a program handed a queue would be. */
#include <pmq/pmq.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    pmq_queue *q = NULL;
    char buf[64];
    int fd, rc;

    if (argc != 3) {
        fprintf(stderr, "usage: %s FD NAME\n", argv[0]);
        return 2;
    }
    fd = atoi(argv[1]);
    rc = pmq_adopt(fd, argv[2], &q);
    if (rc != PMQ_OK) {
        printf("pmq_adopt: %s: %s\n", pmq_err_name(rc), pmq_last_error());
        return 3;
    }
    if (pmq_fd(q) != fd || strcmp(pmq_name(q), argv[2]) != 0) {
        printf("pmq_fd %d / pmq_name \"%s\" are not the adopted ones\n", pmq_fd(q), pmq_name(q));
        return 4;
    }
    if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0) {
        printf("the adopted descriptor is not close-on-exec\n");
        return 5;
    }
    rc = pmq_recv_timed(q, buf, sizeof buf, NULL, 10000);
    if (rc != 4 || memcmp(buf, "ping", 4) != 0) {
        printf("pmq_recv_timed: %d: %s\n", rc, pmq_last_error());
        return 6;
    }
    rc = pmq_send(q, "pong", 4, 0);
    if (rc != PMQ_OK) {
        printf("pmq_send: %s\n", pmq_last_error());
        return 7;
    }
    if (pmq_close(q) != PMQ_OK || fcntl(fd, F_GETFD) != -1) {
        printf("pmq_close did not close the adopted descriptor\n");
        return 8;
    }
    return 0;
}
