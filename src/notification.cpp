#include "notification.hpp"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/netlink.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "descriptor_cache.hpp"
#include "queue_state.hpp"

namespace pmq::detail {

namespace {

// The kernel's side of SIGEV_THREAD (linux/mqueue.h, which clashes with
// <mqueue.h>): it sends the registration's cookie of NOTIFY_COOKIE_LEN bytes
// to a netlink socket, its last byte saying why.
constexpr std::size_t cookie_length = 32;     // NOTIFY_COOKIE_LEN
constexpr unsigned char cookie_fired = 1;     // NOTIFY_WOKENUP
constexpr unsigned char cookie_removed = 2;   // NOTIFY_REMOVED

struct Registration {
    Queue *q;
    NotifyCallback call;
    void *fn;
    void *ctx;
};

struct Registry {
    std::mutex lock;
    std::condition_variable idle;
    std::uint64_t next_token = 1;
    std::unordered_map<std::uint64_t, Registration> live; // token -> armed registration
    std::unordered_map<const Queue *, int> running;      // handle -> callbacks in progress
    int socket = -1;         // where the kernel sends cookies; -1 until the first registration
    bool dispatching = false; // the dispatcher thread reads `socket`
};

Registry *make_registry();

// Set once the registry exists: a handle closed before any registration in
// this process (this load of the library) has nothing to cancel, and
// creating the registry then would leak it at every dlclose.
constinit std::atomic<bool> registry_created{false};

// Created on first use and never destroyed: no global constructor, and the
// dispatcher thread still running at exit finds it intact.
Registry &registry()
{
    static Registry *instance = make_registry();
    return *instance;
}

// fork(): the child must not inherit a lock held by another thread, nor wait
// for callbacks running on threads it does not have.  Its registrations are
// gone too (the kernel's belong to the parent), and so is the dispatcher:
// the child closes its copy of the socket, which must keep feeding the
// parent, and starts its own at its first registration.
void lock_before_fork() { registry().lock.lock(); }
void unlock_in_parent() { registry().lock.unlock(); }
void reset_in_child()
{
    Registry &reg = registry();
    reg.live.clear();
    reg.running.clear();
    if (reg.socket >= 0)
        ::close(reg.socket);
    reg.socket = -1;
    reg.dispatching = false;
    reg.lock.unlock();
}

Registry *make_registry()
{
    auto *reg = new Registry;
    // The registry lock is taken before the cache's (watch_queue): so in
    // fork's prepare handlers, which run in the reverse order of registration.
    register_cache_fork_handlers();
    pthread_atfork(lock_before_fork, unlock_in_parent, reset_in_child);
    registry_created.store(true);
    return reg;
}

thread_local const Queue *callback_running_for = nullptr;

void deliver(std::uint64_t token)
{
    Registry &reg = registry();
    Registration r{};
    {
        std::lock_guard<std::mutex> hold(reg.lock);
        auto it = reg.live.find(token);
        if (it == reg.live.end())
            return; // cancelled or closed after the kernel fired
        r = it->second;
        reg.live.erase(it);
        r.q->notify_token = 0; // one-shot: the callback may register again
        ++reg.running[r.q];
    }
    // Released however the callback ends, pthread_exit and cancellation included.
    struct Finished {
        Registry &reg;
        const Queue *q;
        ~Finished()
        {
            callback_running_for = nullptr;
            std::lock_guard<std::mutex> hold(reg.lock);
            if (--reg.running[q] == 0)
                reg.running.erase(q);
            reg.idle.notify_all(); // a close may wait for the count to fall to 0, or to 1
        }
    } finished{reg, r.q};
    callback_running_for = r.q;
    r.call(r.q, r.fn, r.ctx);
}

// The kernel removed a registration without firing it (cancelled, or a
// descriptor of the queue was closed): forget it.
void forget(std::uint64_t token)
{
    Registry &reg = registry();
    std::lock_guard<std::mutex> hold(reg.lock);
    auto it = reg.live.find(token);
    if (it == reg.live.end())
        return;
    if (it->second.q->notify_token == token)
        it->second.q->notify_token = 0;
    reg.live.erase(it);
}

// The dispatcher thread: reads the kernel's cookies and runs the callbacks,
// one at a time, on itself.  It lives until the process exits (or a callback
// ends it with pthread_exit: the next registration then starts another).
void *dispatch(void *arg)
{
    const int socket = static_cast<int>(reinterpret_cast<std::intptr_t>(arg));
    struct Ended {
        int socket;
        ~Ended()
        {
            Registry &reg = registry();
            std::lock_guard<std::mutex> hold(reg.lock);
            if (reg.socket == socket) {
                ::close(socket);
                reg.socket = -1;
                reg.dispatching = false;
            }
        }
    } ended{socket};
    for (;;) {
        unsigned char cookie[cookie_length];
        const ssize_t n = ::recv(socket, cookie, sizeof cookie, 0);
        if (n < 0 && errno != EINTR && errno != ENOBUFS && errno != ENOMEM)
            break; // the socket is gone (closed in a forked child's copy, say)
        if (n != static_cast<ssize_t>(sizeof cookie))
            continue;
        std::uint64_t token;
        std::memcpy(&token, cookie, sizeof token);
        if (cookie[cookie_length - 1] == cookie_fired)
            deliver(token);
        else if (cookie[cookie_length - 1] == cookie_removed)
            forget(token);
    }
    return nullptr;
}

// The dispatcher runs this library's code for as long as the process lives,
// so a dlclose must not unmap it: once it starts, the library stays loaded.
void keep_library_loaded()
{
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void *>(&keep_library_loaded), &info) != 0 &&
        info.dli_fname != nullptr)
        ::dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

Status explain_no_socket(int err, const Queue &q)
{
    if (err == EMFILE) {
        struct rlimit rl {};
        ::getrlimit(RLIMIT_NOFILE, &rl);
        return fail(Errc::limit,
                    "pmq_notify(\"%s\"): this process has reached its open-file limit "
                    "(RLIMIT_NOFILE %llu), and the first callback registration needs one "
                    "descriptor (libpmq's notification socket, kept for the process); close "
                    "descriptors or raise it with 'ulimit -n', then call again",
                    q.name.c_str(), static_cast<unsigned long long>(rl.rlim_cur));
    }
    if (err == ENFILE)
        return fail(Errc::limit,
                    "pmq_notify(\"%s\"): the system-wide limit on open files is reached, and "
                    "the first callback registration needs one descriptor; raise it with "
                    "'sysctl fs.file-max=N' or close files, then call again",
                    q.name.c_str());
    if (err == ENOMEM || err == ENOBUFS)
        return fail(Errc::no_memory, "pmq_notify(\"%s\"): no memory for the notification socket",
                    q.name.c_str());
    char text[96];
    return fail(Errc::system, "pmq_notify(\"%s\"): socket(AF_NETLINK) failed with %s",
                q.name.c_str(), describe_errno(err, text, sizeof text));
}

// Starts the socket and the dispatcher if they are not running: lazily, and
// again after a failure.  The caller holds the registry lock.
Status start_dispatcher(Registry &reg, const Queue &q)
{
    if (reg.dispatching)
        return {};
    const auto open_socket = [] {
        return ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    };
    int s = open_socket();
    // The name-based calls' idle descriptors may be what holds the limit.
    if (s < 0 && (errno == EMFILE || errno == ENFILE) && release_idle_descriptors())
        s = open_socket();
    if (s < 0)
        return explain_no_socket(errno, q);
    keep_library_loaded();
    // Callbacks run with every signal blocked: a signal meant for the
    // program's own threads must not land on (or kill through) this one.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    const int err = pthread_create(&thread, &attr, dispatch,
                                   reinterpret_cast<void *>(static_cast<std::intptr_t>(s)));
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (err != 0) {
        ::close(s);
        return fail(Errc::no_memory,
                    "pmq_notify(\"%s\"): no thread could be started to run callbacks "
                    "(pthread_create failed with error %d); try again later",
                    q.name.c_str(), err);
    }
    reg.socket = s;
    reg.dispatching = true;
    return {};
}

Status explain_notify_failure(int err, const Queue &q, const char *operation)
{
    if (err == EBUSY)
        return fail(Errc::busy,
                    "%s(\"%s\"): another registration already holds this queue's notification "
                    "(one process per queue); it must cancel first",
                    operation, q.name.c_str());
    if (err == ENOMEM || err == EAGAIN)
        return fail(Errc::no_memory, "%s(\"%s\"): no memory or threads left for notification",
                    operation, q.name.c_str());
    char text[96];
    return fail(Errc::system, "%s(\"%s\"): mq_notify failed with %s", operation, q.name.c_str(),
                describe_errno(err, text, sizeof text));
}

// Around a registration: the name-based calls' descriptors of the queue are
// closed before it, so that closing one cannot cancel it, and none are kept
// while it may be live.  A registration that fails leaves the queue as it was.
class Watching {
public:
    explicit Watching(Queue &q) : q_(q), was_watched_(q.watch.linked)
    {
        watch_queue(q.watch, q.fd);
    }
    Watching(const Watching &) = delete;
    Watching &operator=(const Watching &) = delete;
    ~Watching()
    {
        if (!kept_ && !was_watched_)
            unwatch_queue(q_.watch);
    }
    void keep() const { kept_ = true; }

private:
    Queue &q_;
    bool was_watched_;
    mutable bool kept_ = false;
};

// Cancels this handle's callback registration; the caller holds the registry lock.
void drop_registration(Registry &reg, Queue &q)
{
    if (q.notify_token != 0) {
        ::mq_notify(q.fd, nullptr);
        reg.live.erase(q.notify_token);
        q.notify_token = 0;
    }
}

} // namespace

Status queue_notify(Queue &q, NotifyCallback call, void *fn, void *ctx)
{
    Registry &reg = registry();
    std::lock_guard<std::mutex> hold(reg.lock);
    if (q.closing)
        return {}; // its callback, during pmq_close: cancelled by the close (pmq.h)
    if (call == nullptr) {
        if (q.notify_token != 0)
            drop_registration(reg, q);
        else
            ::mq_notify(q.fd, nullptr); // a signal registration of this process, if any
        unwatch_queue(q.watch);
        return {};
    }
    if (Status s = start_dispatcher(reg, q); !s.ok())
        return s;
    const Watching watching(q);
    const std::uint64_t token = reg.next_token++;
    // glibc's mq_notify(SIGEV_THREAD) is not used: it sets its machinery up
    // once per process and never again after a failure (descriptors ran out).
    unsigned char cookie[cookie_length] = {};
    std::memcpy(cookie, &token, sizeof token);
    struct sigevent event {};
    event.sigev_notify = SIGEV_THREAD;
    event.sigev_signo = reg.socket;
    event.sigev_value.sival_ptr = cookie;
    // Reserve the entry first: running out of memory afterwards would leave
    // an armed registration nobody could deliver.
    try {
        reg.live.emplace(token, Registration{&q, call, fn, ctx});
    } catch (const std::bad_alloc &) {
        return fail(Errc::no_memory, "pmq_notify(\"%s\"): out of memory", q.name.c_str());
    }
    if (::syscall(SYS_mq_notify, q.fd, &event) != 0) {
        const int err = errno;
        reg.live.erase(token);
        return explain_notify_failure(err, q, "pmq_notify");
    }
    reg.live.erase(q.notify_token); // a registration the kernel already dropped, if any
    q.notify_token = token;
    watching.keep();
    return {};
}

Status queue_notify_signal(Queue &q, int signo)
{
    if (signo < 0 || signo >= NSIG)
        return fail(Errc::invalid_argument,
                    "pmq_notify_signal(\"%s\"): %d is not a signal number (1 .. %d, or 0 to "
                    "cancel)",
                    q.name.c_str(), signo, NSIG - 1);
    Registry &reg = registry();
    std::lock_guard<std::mutex> hold(reg.lock);
    if (q.closing)
        return {}; // its callback, during pmq_close: cancelled by the close (pmq.h)
    if (signo == 0) {
        if (q.notify_token != 0)
            drop_registration(reg, q);
        else
            ::mq_notify(q.fd, nullptr);
        unwatch_queue(q.watch);
        return {};
    }
    const Watching watching(q);
    struct sigevent event {};
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = signo;
    event.sigev_value.sival_ptr = &q;
    if (::mq_notify(q.fd, &event) != 0)
        return explain_notify_failure(errno, q, "pmq_notify_signal");
    reg.live.erase(q.notify_token); // a callback registration the kernel already dropped
    q.notify_token = 0;
    watching.keep();
    return {};
}

void cancel_notification_for_close(Queue &q)
{
    if (!registry_created.load())
        return; // nothing was ever registered, so nothing can be running
    Registry &reg = registry();
    std::unique_lock<std::mutex> hold(reg.lock);
    // From here on no registration of this handle is made (its callback may
    // try while we wait for it), so none can fire once the handle is freed.
    q.closing = true;
    drop_registration(reg, q);
    unwatch_queue(q.watch);
    // From inside its own callback, that one callback is ours to wait out: a
    // second one (the callback registered again) may be running elsewhere.
    const int own = callback_running_for == &q ? 1 : 0;
    reg.idle.wait(hold, [&] {
        const auto it = reg.running.find(&q);
        return it == reg.running.end() || it->second <= own;
    });
}

} // namespace pmq::detail
