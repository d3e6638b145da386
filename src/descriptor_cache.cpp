#include "descriptor_cache.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "queue_name.hpp"
#include "queue_state.hpp" // open_descriptor

namespace pmq::detail {

namespace {

constexpr mqd_t no_descriptor = static_cast<mqd_t>(-1);

// What fstat() told about the queue when it was opened: the inode (to notice
// a descriptor number that no longer is ours) and what mq_open's permission
// check depended on.
struct Identity {
    dev_t device = 0;
    ino_t inode = 0;
    mode_t mode = 0;
    uid_t owner = 0;
    gid_t group = 0;
};

Identity identity_of(const struct stat &st)
{
    return Identity{st.st_dev, st.st_ino, st.st_mode, st.st_uid, st.st_gid};
}

// fstat(2) itself where the kernel has it: glibc's fstat() goes through
// fstatat(fd, "", AT_EMPTY_PATH), which also copies and checks the empty path.
int stat_descriptor(mqd_t fd, struct stat *st)
{
#ifdef SYS_fstat
    return static_cast<int>(::syscall(SYS_fstat, fd, st));
#else
    return ::fstat(fd, st);
#endif
}

bool same_inode(const Identity &a, const Identity &b)
{
    return a.device == b.device && a.inode == b.inode;
}

bool same_permissions(const Identity &a, const Identity &b)
{
    return a.mode == b.mode && a.owner == b.owner && a.group == b.group;
}

// A name's length and last eight bytes: a filter cheaper than hashing, and
// selective for names that differ at the end ("/jobs-1", "/jobs-2").
struct NameKey {
    std::size_t length;
    std::uint64_t tail;
};

enum class SlotState : unsigned char {
    free,
    live,    // may be lent
    retired, // stale: no longer lent, closed when its last user gives it back
};

struct Slot {
    SlotState state = SlotState::free;
    Access access = Access::send;
    unsigned users = 0;           // leases currently out
    std::uint64_t last_use = 0;   // for least-recently-used eviction
    NameKey key{};
    mqd_t fd = no_descriptor;     // no_descriptor once it is found not to be ours
    Identity identity{};
    char name[max_name_length + 2]{}; // '/', up to max_name_length characters, NUL
};

struct Cache {
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    std::uint64_t clock = 0;
    int last_hit = 0; // where the last lookup found its entry
    Slot slots[descriptor_cache_capacity]{};
    WatchedQueue *watched = nullptr; // queues not to keep (notification registered)
};

// Constant-initialized, trivially destructible: nothing runs at load or unload.
constinit Cache cache;
constinit pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;

class CacheLock {
public:
    CacheLock() { pthread_mutex_lock(&cache.lock); }
    ~CacheLock() { pthread_mutex_unlock(&cache.lock); }
    CacheLock(const CacheLock &) = delete;
    CacheLock &operator=(const CacheLock &) = delete;
};

void before_fork() { pthread_mutex_lock(&cache.lock); }
void after_fork_in_parent() { pthread_mutex_unlock(&cache.lock); }

// Only the forking thread lives on in the child, and it holds no lease (it
// was in fork(), not in a name-based call): every use count is gone with the
// threads that held it, and retired entries can be closed now.
void after_fork_in_child()
{
    for (Slot &slot : cache.slots) {
        slot.users = 0;
        if (slot.state == SlotState::retired) {
            if (slot.fd != no_descriptor)
                ::mq_close(slot.fd);
            slot = Slot{};
        }
    }
    // The forking thread locked it in before_fork() and lives on here: release it.
    pthread_mutex_unlock(&cache.lock);
}

void register_fork_handlers()
{
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

NameKey key_of(const char *name)
{
    NameKey key{std::strlen(name), 0};
    if (key.length >= sizeof key.tail)
        std::memcpy(&key.tail, name + key.length - sizeof key.tail, sizeof key.tail);
    else
        std::memcpy(&key.tail, name, key.length);
    return key;
}

bool slot_holds(const Slot &slot, const char *name, NameKey key, Access access)
{
    return slot.state == SlotState::live && slot.access == access && slot.key.tail == key.tail &&
           slot.key.length == key.length && std::memcmp(slot.name, name, key.length) == 0;
}

// Takes a use of slot `index` out of the table; returns the descriptor the
// caller must close once the lock is released, or no_descriptor.  Call with
// the lock held.
mqd_t give_back_locked(int index)
{
    Slot &slot = cache.slots[index];
    if (slot.users > 0)
        --slot.users;
    if (slot.state != SlotState::retired || slot.users != 0)
        return no_descriptor;
    const mqd_t fd = slot.fd;
    slot = Slot{};
    return fd;
}

// Marks a slot stale; returns the descriptor to close if nobody uses it.
mqd_t retire_locked(int index)
{
    Slot &slot = cache.slots[index];
    slot.state = SlotState::retired;
    if (slot.users != 0)
        return no_descriptor;
    const mqd_t fd = slot.fd;
    slot = Slot{};
    return fd;
}

void close_if_any(mqd_t fd)
{
    if (fd != no_descriptor)
        ::mq_close(fd);
}

// Looks the name up; on a hit the slot's use count is taken and its
// descriptor and identity are copied out.  Returns the slot index or -1.
int find_and_take(const char *name, NameKey key, Access access, mqd_t *fd, Identity *identity)
{
    const CacheLock held;
    int found = cache.last_hit; // a program often uses one name many times in a row
    if (!slot_holds(cache.slots[found], name, key, access)) {
        found = -1;
        for (int i = 0; i < static_cast<int>(descriptor_cache_capacity); ++i)
            if (slot_holds(cache.slots[i], name, key, access)) {
                found = i;
                break;
            }
        if (found < 0)
            return -1;
        cache.last_hit = found;
    }
    Slot &slot = cache.slots[found];
    ++slot.users;
    slot.last_use = ++cache.clock;
    *fd = slot.fd;
    *identity = slot.identity;
    return found;
}

// A slot was found stale by the fstat() that followed its lookup.
void drop_stale(int index, bool descriptor_is_ours)
{
    mqd_t to_close;
    {
        const CacheLock held;
        if (!descriptor_is_ours)
            cache.slots[index].fd = no_descriptor;
        cache.slots[index].state = SlotState::retired;
        to_close = give_back_locked(index);
    }
    close_if_any(to_close);
}

bool watched_locked(const Identity &identity)
{
    for (const WatchedQueue *w = cache.watched; w != nullptr; w = w->next)
        if (w->device == identity.device && w->inode == identity.inode)
            return true;
    return false;
}

// Puts a freshly opened descriptor in the table with one use taken.  Returns
// its slot, or -1 when every slot is busy (or the name is already there,
// after a race with another thread, or its queue is watched): then the caller
// keeps it to itself.
int insert_and_take(const char *name, NameKey key, Access access, mqd_t fd,
                    const Identity &identity)
{
    mqd_t evicted = no_descriptor;
    int chosen = -1;
    {
        const CacheLock held;
        if (watched_locked(identity))
            return -1;
        for (int i = 0; i < static_cast<int>(descriptor_cache_capacity); ++i) {
            const Slot &slot = cache.slots[i];
            if (slot_holds(slot, name, key, access))
                return -1;
            if (slot.state == SlotState::free) {
                if (chosen < 0 || cache.slots[chosen].state != SlotState::free)
                    chosen = i;
            } else if (slot.state == SlotState::live && slot.users == 0 &&
                       (chosen < 0 || (cache.slots[chosen].state == SlotState::live &&
                                       slot.last_use < cache.slots[chosen].last_use))) {
                chosen = i;
            }
        }
        if (chosen < 0)
            return -1;
        Slot &slot = cache.slots[chosen];
        if (slot.state == SlotState::live)
            evicted = slot.fd;
        slot.state = SlotState::live;
        slot.access = access;
        slot.users = 1;
        slot.last_use = ++cache.clock;
        slot.key = key;
        slot.fd = fd;
        slot.identity = identity;
        std::memcpy(slot.name, name, key.length + 1);
        cache.last_hit = chosen;
    }
    close_if_any(evicted);
    return chosen;
}

Status open_for(const char *operation, const char *name, Access access, mqd_t *fd)
{
    const int oflag = access == Access::send ? O_WRONLY : O_RDONLY;
    return open_descriptor(operation, name, oflag, 0, nullptr, fd);
}

} // namespace

DescriptorLease::~DescriptorLease()
{
    if (slot_ < 0) {
        close_if_any(fd_);
        return;
    }
    mqd_t to_close;
    {
        const CacheLock held;
        to_close = give_back_locked(slot_);
    }
    close_if_any(to_close);
}

void register_cache_fork_handlers()
{
    pthread_once(&fork_handlers_once, register_fork_handlers);
}

Status lease_descriptor(const char *operation, const char *name, Access access,
                        DescriptorLease *out)
{
    register_cache_fork_handlers();
    const NameKey key = key_of(name);
    mqd_t fd = no_descriptor;
    Identity opened{};
    const int hit = find_and_take(name, key, access, &fd, &opened);
    if (hit >= 0) {
        struct stat st; // filled by fstat, so not zeroed: this is the hot path
        const bool ours = stat_descriptor(fd, &st) == 0 && same_inode(identity_of(st), opened);
        if (ours && st.st_nlink > 0 && same_permissions(identity_of(st), opened)) {
            out->slot_ = hit;
            out->fd_ = fd;
            return {};
        }
        drop_stale(hit, ours);
    }

    if (Status s = open_for(operation, name, access, &fd); !s.ok())
        return s;
    struct stat st {};
    const int slot = stat_descriptor(fd, &st) == 0
                         ? insert_and_take(name, key, access, fd, identity_of(st))
                         : -1;
    out->slot_ = slot;
    out->fd_ = fd;
    return {};
}

bool release_idle_descriptors()
{
    mqd_t to_close[descriptor_cache_capacity];
    std::size_t count = 0;
    {
        const CacheLock held;
        for (int i = 0; i < static_cast<int>(descriptor_cache_capacity); ++i)
            if (cache.slots[i].state == SlotState::live && cache.slots[i].users == 0)
                to_close[count++] = retire_locked(i);
    }
    for (std::size_t i = 0; i < count; ++i)
        close_if_any(to_close[i]);
    return count > 0;
}

void forget_descriptors(const char *name)
{
    const NameKey key = key_of(name);
    mqd_t to_close[descriptor_cache_capacity];
    std::size_t count = 0;
    {
        const CacheLock held;
        for (int i = 0; i < static_cast<int>(descriptor_cache_capacity); ++i)
            if (slot_holds(cache.slots[i], name, key, Access::send) ||
                slot_holds(cache.slots[i], name, key, Access::receive))
                to_close[count++] = retire_locked(i);
    }
    for (std::size_t i = 0; i < count; ++i)
        close_if_any(to_close[i]);
}

// dlclose: the table goes with the library, so its descriptors must go too
// (an unloading program keeps none of them; README).  This closes the idle
// cached descriptors and does nothing else, at unload as at exit.  The
// notification thread, once started, keeps the library loaded instead
// (notification.cpp), so this runs only when no callback can still run.
[[gnu::destructor]] void close_cached_descriptors_at_unload()
{
    release_idle_descriptors();
}

void watch_queue(WatchedQueue &watch, mqd_t fd)
{
    struct stat st {};
    if (watch.linked || stat_descriptor(fd, &st) != 0)
        return;
    const Identity identity = identity_of(st);
    mqd_t to_close[descriptor_cache_capacity];
    std::size_t count = 0;
    {
        const CacheLock held;
        watch.device = identity.device;
        watch.inode = identity.inode;
        watch.prev = nullptr;
        watch.next = cache.watched;
        if (cache.watched != nullptr)
            cache.watched->prev = &watch;
        cache.watched = &watch;
        watch.linked = true;
        for (int i = 0; i < static_cast<int>(descriptor_cache_capacity); ++i)
            if (cache.slots[i].state == SlotState::live &&
                same_inode(cache.slots[i].identity, identity))
                to_close[count++] = retire_locked(i);
    }
    for (std::size_t i = 0; i < count; ++i)
        close_if_any(to_close[i]);
}

void unwatch_queue(WatchedQueue &watch)
{
    if (!watch.linked) // guarded by the registry lock too, which every caller holds
        return;
    const CacheLock held;
    if (watch.prev != nullptr)
        watch.prev->next = watch.next;
    else
        cache.watched = watch.next;
    if (watch.next != nullptr)
        watch.next->prev = watch.prev;
    watch = WatchedQueue{};
}

} // namespace pmq::detail
