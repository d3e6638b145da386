#include "unique_name.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "queue_name.hpp"
#include "queue_state.hpp"

namespace pmq::detail {

namespace {

constexpr const char *op = "pmq_create_unique";
// Digits and lower-case letters: 32 of them, so each byte's low 5 bits pick
// one without bias, and the name is easy to type and read in `pmq ls`.
constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
static_assert(sizeof alphabet - 1 == 32);
// A collision needs another queue with the same 80 random bits: after this
// many in a row something else is wrong.
constexpr int attempts = 16;

Status check_prefix(const char *prefix)
{
    if (prefix == nullptr)
        return fail(Errc::bad_name,
                    "%s: the prefix is NULL; pass a name prefix such as \"/reply-\"", op);
    const std::size_t length = strnlen(prefix, max_name_length + 2);
    if (length == 0 || prefix[0] != '/')
        return fail(Errc::bad_name,
                    "%s(\"%.64s\"): the prefix must start with '/', as in \"/reply-\"", op,
                    prefix);
    if (std::memchr(prefix + 1, '/', length - 1) != nullptr)
        return fail(Errc::bad_name,
                    "%s(\"%.64s\"): a queue name may contain no '/' after the first; use another "
                    "character such as '.' or '-'",
                    op, prefix);
    constexpr std::size_t room = max_name_length - unique_suffix_length;
    if (length - 1 > room)
        return fail(Errc::bad_name,
                    "%s(\"%.32s...\"): the prefix has %s%zu characters after the '/', but the "
                    "%u-character random suffix must fit in a name of %zu; use a prefix of at "
                    "most %zu characters after the '/'",
                    op, prefix, length > max_name_length + 1 ? "more than " : "",
                    length > max_name_length + 1 ? max_name_length : length - 1,
                    unique_suffix_length, max_name_length, room);
    return {};
}

// Fills suffix with unique_suffix_length random letters.
Status random_suffix(char *suffix)
{
    unsigned char bytes[unique_suffix_length];
    std::size_t have = 0;
    while (have < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + have, sizeof bytes - have, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            char text[96];
            return fail(Errc::system, "%s: getrandom failed with %s", op,
                        describe_errno(errno, text, sizeof text));
        }
        have += static_cast<std::size_t>(n);
    }
    for (unsigned i = 0; i < unique_suffix_length; ++i)
        suffix[i] = alphabet[bytes[i] & 31u];
    return {};
}

} // namespace

Status create_unique_queue(const char *prefix, unsigned flags, unsigned mode,
                           std::int64_t max_messages, std::int64_t message_size, Queue **out)
{
    if (Status s = check_prefix(prefix); !s.ok())
        return s;
    const std::size_t length = std::strlen(prefix);
    char name[max_name_length + 2];
    std::memcpy(name, prefix, length);
    name[length + unique_suffix_length] = '\0';
    for (int i = 0; i < attempts; ++i) {
        if (Status s = random_suffix(name + length); !s.ok())
            return s;
        Status s = create_queue_as(op, name, flags | open_flag::exclusive, mode, max_messages,
                                   message_size, out);
        if (s.code() != Errc::exists)
            return s;
    }
    return fail(Errc::exists,
                "%s(\"%s\"): %d random names in a row were taken; something else creates "
                "queues with this prefix and random names, so choose another prefix",
                op, prefix, attempts);
}

} // namespace pmq::detail
