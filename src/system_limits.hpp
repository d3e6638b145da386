// The system's message-queue limits, and the diagnosis of a refused mq_open:
// which limit refused it, and how to raise that limit.
#pragma once

#include <cstdint>

#include "status.hpp"

namespace pmq::detail {

// The kernel's own ceilings (since Linux 3.5), which even CAP_SYS_RESOURCE
// cannot pass.
inline constexpr std::int64_t hard_msg_max = 65536;
inline constexpr std::int64_t hard_msgsize_max = 16 * 1024 * 1024;

struct SystemLimits {           // -1 where the system does not say
    std::int64_t prio_max;
    std::int64_t name_max;
    std::int64_t msg_max;         // /proc/sys/fs/mqueue/msg_max
    std::int64_t msgsize_max;     // /proc/sys/fs/mqueue/msgsize_max
    std::int64_t msg_default;     // /proc/sys/fs/mqueue/msg_default
    std::int64_t msgsize_default; // /proc/sys/fs/mqueue/msgsize_default
    std::int64_t queues_max;      // /proc/sys/fs/mqueue/queues_max
    std::int64_t rlimit_msgqueue; // RLIMIT_MSGQUEUE soft limit in bytes; -1 = unlimited
};

SystemLimits read_system_limits();

// The bytes RLIMIT_MSGQUEUE charges for a queue of these dimensions (the
// kernel's formula for 64-bit Linux: messages, their headers and the
// priority tree); -1 when a dimension is unknown or beyond the ceilings.
std::int64_t queue_footprint(std::int64_t max_messages, std::int64_t message_size);

// What mq_open's errno `err` means for this call, with an explanation naming
// the limit and how to raise it.  max_messages / message_size are those
// requested (0 when the call did not create).
Status diagnose_open_failure(int err, const char *operation, const char *name, bool creating,
                             std::int64_t max_messages, std::int64_t message_size);

} // namespace pmq::detail
