// Queues with a fresh random name (pmq_create_unique), for private reply
// queues in request/response.
#pragma once

#include <cstdint>

#include "queue.hpp"

namespace pmq::detail {

// Characters appended to the prefix: 16 from a 32-letter alphabet, 80 bits
// from getrandom(), so collisions are rare and retried.
inline constexpr unsigned unique_suffix_length = 16;

// Creates prefix + a random suffix exclusively (PMQ_EXCL is implied),
// retrying on collision.  The other arguments are pmq_create's.
Status create_unique_queue(const char *prefix, unsigned flags, unsigned mode,
                           std::int64_t max_messages, std::int64_t message_size, Queue **out);

} // namespace pmq::detail
