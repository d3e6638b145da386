// pmq.h included from C++, built with -pedantic -Werror: the declarations
// have C linkage and the enum and structs are usable as C++ types.
#include <pmq/pmq.h>

#include <type_traits>

static_assert(std::is_standard_layout<pmq_attr>::value, "pmq_attr is a C struct");
static_assert(PMQ_ESYS == -15, "error codes are fixed forever");

int main()
{
    pmq_attr attr{};
    return pmq_version_number() == PMQ_VERSION_NUMBER && attr.reserved == 0 ? 0 : 1;
}
static_assert(PMQ_ECANCELED == -16, "error codes are fixed forever");
