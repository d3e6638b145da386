#include "queue_name.hpp"

#include <cstring>

namespace pmq::detail {

Status check_queue_name(const char *name, const char *operation)
{
    if (name == nullptr)
        return fail(Errc::bad_name, "%s: the queue name is NULL; pass a name such as \"/jobs\"",
                    operation);
    // Bound the scan: a name longer than the limit is refused without reading further.
    const std::size_t length = strnlen(name, max_name_length + 2);
    if (length == 0)
        return fail(Errc::bad_name, "%s: the queue name is empty; pass a name such as \"/jobs\"",
                    operation);
    if (name[0] != '/')
        return fail(Errc::bad_name,
                    "%s(\"%.64s\"): a queue name must start with '/', as in \"/%.64s\"", operation,
                    name, name);
    if (length == 1)
        return fail(Errc::bad_name,
                    "%s(\"/\"): a queue name needs at least one character after the '/'",
                    operation);
    if (length > max_name_length + 1)
        return fail(Errc::bad_name,
                    "%s(\"%.32s...\"): the queue name is longer than %zu characters after the '/'",
                    operation, name, max_name_length);
    if (std::memchr(name + 1, '/', length - 1) != nullptr)
        return fail(Errc::bad_name,
                    "%s(\"%.64s\"): a queue name may contain no '/' after the first; use another "
                    "character such as '.' or '-'",
                    operation, name);
    const bool dots = name[1] == '.' && (length == 2 || (length == 3 && name[2] == '.'));
    if (dots)
        return fail(Errc::bad_name, "%s(\"%s\"): \".\" and \"..\" are not queue names", operation,
                    name);
    return {};
}

} // namespace pmq::detail
