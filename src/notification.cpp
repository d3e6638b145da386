#include "notification.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "queue_state.hpp"

namespace pmq::detail {

namespace {

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
};

Registry *make_registry();

// Created on first use and never destroyed: no global constructor, and a
// notification thread still running at exit finds it intact.
Registry &registry()
{
    static Registry *instance = make_registry();
    return *instance;
}

// fork(): the child must not inherit a lock held by another thread, nor wait
// for callbacks running on threads it does not have.  Its registrations are
// gone too: the kernel's belong to the parent.
void lock_before_fork() { registry().lock.lock(); }
void unlock_in_parent() { registry().lock.unlock(); }
void reset_in_child()
{
    Registry &reg = registry();
    reg.live.clear();
    reg.running.clear();
    reg.lock.unlock();
}

Registry *make_registry()
{
    auto *reg = new Registry;
    pthread_atfork(lock_before_fork, unlock_in_parent, reset_in_child);
    return reg;
}

thread_local const Queue *callback_running_for = nullptr;

void deliver(union sigval value)
{
    const auto token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(value.sival_ptr));
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
        return {};
    }
    const std::uint64_t token = reg.next_token++;
    struct sigevent event {};
    event.sigev_notify = SIGEV_THREAD;
    event.sigev_value.sival_ptr = reinterpret_cast<void *>(static_cast<std::uintptr_t>(token));
    event.sigev_notify_function = deliver;
    // Reserve the entry first: running out of memory afterwards would leave
    // an armed registration nobody could deliver.
    try {
        reg.live.emplace(token, Registration{&q, call, fn, ctx});
    } catch (const std::bad_alloc &) {
        return fail(Errc::no_memory, "pmq_notify(\"%s\"): out of memory", q.name.c_str());
    }
    if (::mq_notify(q.fd, &event) != 0) {
        const int err = errno;
        reg.live.erase(token);
        return explain_notify_failure(err, q, "pmq_notify");
    }
    reg.live.erase(q.notify_token); // a registration the kernel already dropped, if any
    q.notify_token = token;
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
        return {};
    }
    struct sigevent event {};
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = signo;
    event.sigev_value.sival_ptr = &q;
    if (::mq_notify(q.fd, &event) != 0)
        return explain_notify_failure(errno, q, "pmq_notify_signal");
    reg.live.erase(q.notify_token); // a callback registration the kernel already dropped
    q.notify_token = 0;
    return {};
}

void cancel_notification_for_close(Queue &q)
{
    Registry &reg = registry();
    std::unique_lock<std::mutex> hold(reg.lock);
    // From here on no registration of this handle is made (its callback may
    // try while we wait for it), so none can fire once the handle is freed.
    q.closing = true;
    drop_registration(reg, q);
    // From inside its own callback, that one callback is ours to wait out: a
    // second one (the callback registered again) may be running elsewhere.
    const int own = callback_running_for == &q ? 1 : 0;
    reg.idle.wait(hold, [&] {
        const auto it = reg.running.find(&q);
        return it == reg.running.end() || it->second <= own;
    });
}

} // namespace pmq::detail
