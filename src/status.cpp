#include "status.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace pmq::detail {

namespace {
// Long enough for the longest explanation (a name of 255 characters plus advice).
thread_local char explanation[1024];
} // namespace

Status fail(Errc code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    std::vsnprintf(explanation, sizeof explanation, format, args);
    va_end(args);
    return Status(code);
}

const char *last_explanation()
{
    return explanation;
}

const char *describe_errno(int err, char *buf, unsigned long size)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    const char *name = strerrorname_np(err);
    const char *text = strerrordesc_np(err);
    if (name != nullptr && text != nullptr) {
        std::snprintf(buf, size, "%s (%s)", name, text);
        return buf;
    }
#endif
    std::snprintf(buf, size, "errno %d (%s)", err, std::strerror(err));
    return buf;
}

} // namespace pmq::detail
