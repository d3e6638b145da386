// The name-based calls' descriptor cache.
//
// pmq_send_to, pmq_recv_from and pmq_info must behave as if they opened, used
// and closed the queue on every call.  Doing exactly that costs mq_open +
// operation + mq_close; this cache keeps up to `descriptor_cache_capacity`
// descriptors open between calls instead, so that a call costs one fstat()
// plus the operation, and keeps the open-use-close semantics like this:
//
//  - Unlinked queues: fstat() of the cached descriptor gives the link count
//    of the queue's inode, 1 while a name points to it and 0 for ever after
//    mq_unlink.  (The mqueue filesystem has no hard links or renames, so a
//    linked inode is the one the name points to.)  A count of 0 drops the
//    entry and opens the name again: a queue recreated under the same name is
//    found, a removed one gives PMQ_ENOENT.
//  - Permissions: mq_open checks them only when it opens.  The same fstat()
//    gives the owner, group and mode; when any of them differs from what it
//    was at open time the entry is dropped and mq_open decides afresh.
//    A change of this process's own credentials (setuid) is not seen: a
//    descriptor opened before it stays in use until evicted or unlinked.
//  - Bounded: at most descriptor_cache_capacity descriptors, the least
//    recently used idle one evicted first.  When every entry is busy (other
//    threads blocked on them), a call opens and closes its own descriptor.
//  - Threads: a mutex is held only to look up or update the table, never
//    across a send or receive; reference counts keep a descriptor open while
//    any thread still uses it.
//  - fork(): atfork handlers hold the mutex across fork(), so the child gets
//    a consistent table and an unlocked mutex; its inherited descriptors stay valid.
//  - Notification: the kernel drops this process's registration on a queue
//    whenever the process closes any descriptor of it.  A descriptor kept
//    from a call made before the registration must not be closed after it,
//    so registering closes the cache's descriptors of that queue first; and
//    while a handle's registration may be live, descriptors of its queue are
//    not kept: a call then opens and closes its own, exactly the
//    open-use-close it stands for (and that close cancels the registration,
//    as any close by this process does; pmq_notify(3) says so).
//  - dlopen: the table is constant-initialized; the atfork handlers are
//    registered on first use (glibc removes them at dlclose), and the one
//    destructor closes the idle cached descriptors at dlclose (and exit).
#pragma once

#include <mqueue.h>
#include <sys/types.h>

#include <cstddef>

#include "status.hpp"

namespace pmq::detail {

inline constexpr std::size_t descriptor_cache_capacity = 16;

// The direction a name-based call opens the queue for.
enum class Access { send, receive }; // O_WRONLY, O_RDONLY

// A descriptor lent to one call: from the cache, or opened for this call only
// when the cache has no room.  Its destructor gives it back (or closes it),
// also when a cancelled thread unwinds through it.
class DescriptorLease {
public:
    DescriptorLease() = default;
    DescriptorLease(const DescriptorLease &) = delete;
    DescriptorLease &operator=(const DescriptorLease &) = delete;
    ~DescriptorLease();

    mqd_t get() const { return fd_; }

private:
    friend Status lease_descriptor(const char *, const char *, Access, DescriptorLease *);
    int slot_ = -1;                  // index in the cache, or -1: not cached, fd_ is ours to close
    mqd_t fd_ = static_cast<mqd_t>(-1);
};

// Lends a descriptor of `name` (already validated) open for `access`, with
// the semantics above.  `operation` names the API call in explanations.
Status lease_descriptor(const char *operation, const char *name, Access access,
                        DescriptorLease *out);

// Closes every idle cached descriptor, so that a limit that refused an open
// (RLIMIT_NOFILE, or RLIMIT_MSGQUEUE and queues_max held by queues another
// process unlinked while this cache kept them open) is not the cache's doing.
// Returns whether anything was closed.
bool release_idle_descriptors();

// Closes the cached descriptors of `name` (now, or when their last user is
// done).  pmq_unlink calls it so that an unlinked queue is freed as soon as it
// would be without the cache.
void forget_descriptors(const char *name);

// A queue on which a handle of this process registers for notification,
// named by device and inode; a member of the handle, linked into the cache's
// list (under its lock) while the registration may be live.
struct WatchedQueue {
    dev_t device = 0;
    ino_t inode = 0;
    WatchedQueue *next = nullptr;
    WatchedQueue *prev = nullptr;
    bool linked = false;
};

// Before registering on the queue of descriptor `fd`: closes the cache's
// descriptors of that queue (idle ones now, one in use when its call ends)
// and keeps none of it until unwatch_queue.  Watching twice is harmless.
// Both are called with notification's registry lock held: that lock is
// always taken before the cache's, never after.
void watch_queue(WatchedQueue &watch, mqd_t fd);
// The handle cancelled its registration or is being closed.
void unwatch_queue(WatchedQueue &watch);

// Registers the cache's fork handlers if they are not yet.  Notification
// calls it before registering its own: fork's prepare handlers run in the
// reverse order, so its lock is taken before the cache's there too.
void register_cache_fork_handlers();

} // namespace pmq::detail
