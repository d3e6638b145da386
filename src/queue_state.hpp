// What a queue handle holds (Linux).  Internal to the core.
#pragma once

#include <mqueue.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "descriptor_cache.hpp"
#include "interruption.hpp"
#include "status.hpp"

namespace pmq::detail {

struct Queue {
    mqd_t fd = static_cast<mqd_t>(-1);
    // Non-blocking, for the first attempt of every send and receive
    // (try_descriptor.hpp); -1 if there is none.
    mqd_t try_fd = static_cast<mqd_t>(-1);
    // Whether a call that finds the queue not ready fails rather than waits:
    // the open flags' word, then pmq_set_nonblocking's.
    std::atomic<bool> nonblocking{false};
    unsigned directions = 0;        // open_flag::read | open_flag::write
    std::string name;
    std::uint64_t notify_token = 0; // live callback registration; guarded by the registry lock
    bool closing = false;           // pmq_close has begun; guarded by the registry lock
    WatchedQueue watch;             // while registered: the cache keeps no descriptor of it
    Interruption interruption;      // pmq_interrupt / pmq_resume
};

} // namespace pmq::detail

namespace pmq::detail {

// A handle without a descriptor yet: `name` copied, directions from flags.
Status new_handle(const char *name, unsigned flags, Queue **out);

// create_queue, with `operation` ("pmq_create_unique") starting explanations.
Status create_queue_as(const char *operation, const char *name, unsigned flags, unsigned mode,
                       std::int64_t max_messages, std::int64_t message_size, Queue **out);

// mq_open with close-on-exec, and the diagnosis of its failure (the
// attributes asked for, if any, name the limit that refused them).  attr is
// NULL for the system defaults.  A limit possibly held by the name-based
// calls' idle descriptors is retried once after releasing them.
Status open_descriptor(const char *operation, const char *name, int oflag, unsigned mode,
                       const struct mq_attr *attr, mqd_t *out);

} // namespace pmq::detail
