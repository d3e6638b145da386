// Name-based calls, the seed's style: one call per operation, no handle.
// Each behaves as if the queue were opened, used and closed on every call.
#pragma once

#include <cstddef>

#include "queue.hpp"

namespace pmq::detail {

// flags: 0 or open_flag::nonblock.
Status send_to(const char *name, const void *msg, std::size_t len, unsigned priority,
               unsigned flags);
Status receive_from(const char *name, void *buf, std::size_t cap, unsigned *priority,
                    unsigned flags, std::size_t *length);
Status queue_info(const char *name, Attributes *out);

} // namespace pmq::detail
