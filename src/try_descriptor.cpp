#include "try_descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace pmq::detail {

mqd_t open_try_descriptor(mqd_t fd, int access)
{
    char path[40];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", static_cast<int>(fd));
    const int reopened = ::open(path, access | O_NONBLOCK | O_CLOEXEC);
    if (reopened < 0)
        return static_cast<mqd_t>(-1);
    // Only a message queue answers mq_getattr: /proc showed what we expect.
    struct mq_attr attr {};
    if (::mq_getattr(static_cast<mqd_t>(reopened), &attr) != 0) {
        ::close(reopened);
        return static_cast<mqd_t>(-1);
    }
    return static_cast<mqd_t>(reopened);
}

} // namespace pmq::detail
