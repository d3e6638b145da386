// What a queue handle holds (Linux).  Internal to the core.
#pragma once

#include <mqueue.h>

#include <cstdint>
#include <string>

#include "status.hpp"

namespace pmq::detail {

struct Queue {
    mqd_t fd = static_cast<mqd_t>(-1);
    unsigned directions = 0;        // open_flag::read | open_flag::write
    std::string name;
    std::uint64_t notify_token = 0; // live callback registration; guarded by the registry lock
};

} // namespace pmq::detail

namespace pmq::detail {



// mq_open with close-on-exec, and the diagnosis of its failure.  attr is
// NULL for the system defaults; max_messages / message_size are repeated for
// the explanation of a refused create.
Status open_descriptor(const char *operation, const char *name, int oflag, unsigned mode,
                       const struct mq_attr *attr, mqd_t *out);

} // namespace pmq::detail
