/* pmq.h is pure C99: this file is built with -std=c99 -pedantic -Werror. */
#include <pmq/pmq.h>

int main(void)
{
    pmq_attr attr = {0, 0, 0, 0, 0};
    pmq_limits limits;
    pmq_error code = PMQ_EAGAIN;
    (void)attr;
    (void)limits;
    return pmq_version_number() == PMQ_VERSION_NUMBER && code == -6 ? 0 : 1;
}
