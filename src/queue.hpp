// The queue handle and its operations: the core's interface to the facade.
//
// Implemented for Linux by queue.cpp (with notification.cpp and
// name_calls.cpp), and by unsupported.cpp where the platform has no POSIX
// message queues.  Nothing here depends on the C ABI.
#pragma once

#include <cstddef>
#include <cstdint>

#include "status.hpp"

#ifndef PMQ_HAVE_MQUEUE
#error "PMQ_HAVE_MQUEUE (1 or 0) must be defined; src/meson.build does"
#endif

namespace pmq::detail {

struct Queue; // defined in queue_state.hpp

// Open flags; the facade checks that they equal PMQ_READ ... PMQ_NONBLOCK.
namespace open_flag {
inline constexpr unsigned read = 0x01;
inline constexpr unsigned write = 0x02;
inline constexpr unsigned exclusive = 0x04;
inline constexpr unsigned nonblock = 0x08;
} // namespace open_flag

struct Attributes {
    std::int64_t max_messages;
    std::int64_t message_size;
    std::int64_t current_messages;
    bool nonblocking;
};

bool platform_supported();

Status create_queue(const char *name, unsigned flags, unsigned mode, std::int64_t max_messages,
                    std::int64_t message_size, Queue **out);
Status open_queue(const char *name, unsigned flags, Queue **out);
Status close_queue(Queue *q);
Status unlink_queue(const char *name);

// `operation` names the API call in explanations.  timeout_ms as in pmq.h.
// Inline in queue_io.hpp where the platform has message queues.
#if !PMQ_HAVE_MQUEUE
Status queue_send(Queue &q, const void *msg, std::size_t len, unsigned priority, int timeout_ms,
                  const char *operation);
Status queue_receive(Queue &q, void *buf, std::size_t cap, unsigned *priority, int timeout_ms,
                     const char *operation, std::size_t *length);
#endif

Status queue_attributes(Queue &q, Attributes *out);
Status queue_set_nonblocking(Queue &q, bool on);
Status queue_descriptor(Queue &q, int *fd);
const char *queue_name(const Queue &q);

} // namespace pmq::detail
