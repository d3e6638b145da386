// The C facade: every extern "C" function of pmq.h, and nothing else.
//
// Each function checks the arguments only the C ABI can get wrong (NULL
// handles and out-pointers), calls the core, and turns its Status into a
// PMQ_E* code through to_c().  No exception crosses this file's functions,
// except glibc's forced unwind of a cancelled thread, which must.
#include <pmq/pmq.h>

#include <cxxabi.h>

#include <new>

#include "adoption.hpp"
#include "name_calls.hpp"
#include "notification.hpp"
#include "queue.hpp"
#if PMQ_HAVE_MQUEUE
#include "queue_io.hpp"
#endif
#include "system_limits.hpp"
#include "unique_name.hpp"
#include "waiting.hpp"

using pmq::detail::Errc;
using pmq::detail::Queue;
using pmq::detail::Status;
using pmq::detail::fail;
namespace core = pmq::detail;

static_assert(PMQ_READ == core::open_flag::read && PMQ_WRITE == core::open_flag::write &&
                  PMQ_EXCL == core::open_flag::exclusive &&
                  PMQ_NONBLOCK == core::open_flag::nonblock,
              "pmq.h flags and the core's open flags must agree");

// The handle given to C is the core's Queue, its type hidden behind pmq_queue.
struct pmq_queue;

namespace {

Queue *unwrap(pmq_queue *q) { return reinterpret_cast<Queue *>(q); }
pmq_queue *wrap(Queue *q) { return reinterpret_cast<pmq_queue *>(q); }

// The one translation from the core's status to the C error code.
int to_c(Status s)
{
    switch (s.code()) {
    case Errc::ok: return PMQ_OK;
    case Errc::invalid_argument: return PMQ_EINVAL;
    case Errc::bad_name: return PMQ_ENAME;
    case Errc::not_found: return PMQ_ENOENT;
    case Errc::exists: return PMQ_EEXIST;
    case Errc::permission_denied: return PMQ_EACCES;
    case Errc::would_block: return PMQ_EAGAIN;
    case Errc::timed_out: return PMQ_ETIMEDOUT;
    case Errc::interrupted: return PMQ_EINTR;
    case Errc::message_size: return PMQ_EMSGSIZE;
    case Errc::bad_direction: return PMQ_EBADF;
    case Errc::limit: return PMQ_ELIMIT;
    case Errc::busy: return PMQ_EBUSY;
    case Errc::no_memory: return PMQ_ENOMEM;
    case Errc::not_supported: return PMQ_ENOTSUP;
    case Errc::system: return PMQ_ESYS;
    case Errc::canceled: return PMQ_ECANCELED;
    }
    return PMQ_ESYS;
}

// Runs `body` (returning an int result) so that no C++ exception escapes,
// while letting a thread cancellation unwind through.
template <class Body>
int guarded(const char *operation, Body &&body)
{
    try {
        return body();
    } catch (abi::__forced_unwind &) {
        throw;
    } catch (const std::bad_alloc &) {
        return to_c(fail(Errc::no_memory, "%s: out of memory", operation));
    } catch (...) {
        return to_c(fail(Errc::system, "%s: unexpected internal error", operation));
    }
}

int null_argument(const char *operation, const char *what)
{
    return to_c(fail(Errc::invalid_argument, "%s: %s is NULL", operation, what));
}

int unsupported(const char *operation)
{
    return to_c(fail(Errc::not_supported,
                     "%s: this platform has no POSIX message queues (mqueue.h / mq_open were "
                     "not found when libpmq was built)",
                     operation));
}

int length_result(const char *operation, Status s, std::size_t length)
{
    if (!s.ok())
        return to_c(s);
    if (length > static_cast<std::size_t>(INT32_MAX))
        return to_c(fail(Errc::system, "%s: message of %zu bytes does not fit the int result",
                         operation, length));
    return static_cast<int>(length);
}

void notify_trampoline(Queue *q, void *fn, void *ctx)
{
    reinterpret_cast<pmq_notify_fn>(fn)(wrap(q), ctx);
}

} // namespace

extern "C" {

PMQ_API int pmq_supported(void) { return core::platform_supported() ? 1 : 0; }

PMQ_API int pmq_create(const char *name, unsigned flags, unsigned mode, int64_t max_messages,
                       int64_t message_size, pmq_queue **out)
{
    if (out == nullptr)
        return null_argument("pmq_create", "the out pointer (pmq_queue **)");
    return guarded("pmq_create", [&] {
        Queue *q = nullptr;
        Status s = core::create_queue(name, flags, mode, max_messages, message_size, &q);
        if (s.ok())
            *out = wrap(q);
        return to_c(s);
    });
}

PMQ_API int pmq_open(const char *name, unsigned flags, pmq_queue **out)
{
    if (out == nullptr)
        return null_argument("pmq_open", "the out pointer (pmq_queue **)");
    return guarded("pmq_open", [&] {
        Queue *q = nullptr;
        Status s = core::open_queue(name, flags, &q);
        if (s.ok())
            *out = wrap(q);
        return to_c(s);
    });
}

PMQ_API int pmq_close(pmq_queue *q)
{
    if (q == nullptr)
        return PMQ_OK;
    return guarded("pmq_close", [&] { return to_c(core::close_queue(unwrap(q))); });
}

PMQ_API int pmq_unlink(const char *name)
{
    return guarded("pmq_unlink", [&] { return to_c(core::unlink_queue(name)); });
}

PMQ_API int pmq_send(pmq_queue *q, const void *msg, size_t len, unsigned priority)
{
    if (q == nullptr)
        return null_argument("pmq_send", "the queue handle");
    return guarded("pmq_send", [&] {
        return to_c(core::queue_send(*unwrap(q), msg, len, priority, -1, "pmq_send"));
    });
}

PMQ_API int pmq_send_timed(pmq_queue *q, const void *msg, size_t len, unsigned priority,
                           int timeout_ms)
{
    if (q == nullptr)
        return null_argument("pmq_send_timed", "the queue handle");
    return guarded("pmq_send_timed", [&] {
        return to_c(
            core::queue_send(*unwrap(q), msg, len, priority, timeout_ms, "pmq_send_timed"));
    });
}

PMQ_API int pmq_recv(pmq_queue *q, void *buf, size_t cap, unsigned *priority)
{
    if (q == nullptr)
        return null_argument("pmq_recv", "the queue handle");
    return guarded("pmq_recv", [&] {
        std::size_t length = 0;
        Status s = core::queue_receive(*unwrap(q), buf, cap, priority, -1, "pmq_recv", &length);
        return length_result("pmq_recv", s, length);
    });
}

PMQ_API int pmq_recv_timed(pmq_queue *q, void *buf, size_t cap, unsigned *priority,
                           int timeout_ms)
{
    if (q == nullptr)
        return null_argument("pmq_recv_timed", "the queue handle");
    return guarded("pmq_recv_timed", [&] {
        std::size_t length = 0;
        Status s = core::queue_receive(*unwrap(q), buf, cap, priority, timeout_ms,
                                       "pmq_recv_timed", &length);
        return length_result("pmq_recv_timed", s, length);
    });
}

PMQ_API int pmq_getattr(pmq_queue *q, pmq_attr *out)
{
    if (q == nullptr)
        return null_argument("pmq_getattr", "the queue handle");
    if (out == nullptr)
        return null_argument("pmq_getattr", "the pmq_attr pointer");
    return guarded("pmq_getattr", [&] {
        core::Attributes a{};
        Status s = core::queue_attributes(*unwrap(q), &a);
        if (s.ok())
            *out = pmq_attr{a.max_messages, a.message_size, a.current_messages,
                            a.nonblocking ? PMQ_NONBLOCK : 0u, 0u};
        return to_c(s);
    });
}

PMQ_API int pmq_set_nonblocking(pmq_queue *q, int on)
{
    if (q == nullptr)
        return null_argument("pmq_set_nonblocking", "the queue handle");
    return guarded("pmq_set_nonblocking",
                   [&] { return to_c(core::queue_set_nonblocking(*unwrap(q), on != 0)); });
}

PMQ_API int pmq_fd(pmq_queue *q)
{
    if (q == nullptr)
        return null_argument("pmq_fd", "the queue handle");
    return guarded("pmq_fd", [&] {
        int fd = -1;
        Status s = core::queue_descriptor(*unwrap(q), &fd);
        return s.ok() ? fd : to_c(s);
    });
}

PMQ_API const char *pmq_name(pmq_queue *q)
{
    if (q == nullptr) {
        null_argument("pmq_name", "the queue handle");
        return nullptr;
    }
    return core::queue_name(*unwrap(q));
}

PMQ_API int pmq_notify(pmq_queue *q, pmq_notify_fn fn, void *ctx)
{
    if (q == nullptr)
        return null_argument("pmq_notify", "the queue handle");
    return guarded("pmq_notify", [&] {
        if (fn == nullptr)
            return to_c(core::queue_notify(*unwrap(q), nullptr, nullptr, nullptr));
        return to_c(core::queue_notify(*unwrap(q), notify_trampoline,
                                       reinterpret_cast<void *>(fn), ctx));
    });
}

PMQ_API int pmq_notify_signal(pmq_queue *q, int signo)
{
    if (q == nullptr)
        return null_argument("pmq_notify_signal", "the queue handle");
    return guarded("pmq_notify_signal",
                   [&] { return to_c(core::queue_notify_signal(*unwrap(q), signo)); });
}

PMQ_API int pmq_send_to(const char *name, const void *msg, size_t len, unsigned priority,
                        unsigned flags)
{
    return guarded("pmq_send_to",
                   [&] { return to_c(core::send_to(name, msg, len, priority, flags)); });
}

PMQ_API int pmq_recv_from(const char *name, void *buf, size_t cap, unsigned *priority,
                          unsigned flags)
{
    return guarded("pmq_recv_from", [&] {
        std::size_t length = 0;
        Status s = core::receive_from(name, buf, cap, priority, flags, &length);
        return length_result("pmq_recv_from", s, length);
    });
}

PMQ_API int pmq_info(const char *name, pmq_attr *out)
{
    if (out == nullptr)
        return null_argument("pmq_info", "the pmq_attr pointer");
    return guarded("pmq_info", [&] {
        core::Attributes a{};
        Status s = core::queue_info(name, &a);
        if (s.ok())
            *out = pmq_attr{a.max_messages, a.message_size, a.current_messages, 0u, 0u};
        return to_c(s);
    });
}

PMQ_API int pmq_get_limits(pmq_limits *out)
{
    if (out == nullptr)
        return null_argument("pmq_get_limits", "the pmq_limits pointer");
    if (!core::platform_supported())
        return unsupported("pmq_get_limits");
    const core::SystemLimits l = core::read_system_limits();
    *out = pmq_limits{l.prio_max,   l.name_max,        l.msg_max,    l.msgsize_max,
                      l.msg_default, l.msgsize_default, l.queues_max, l.rlimit_msgqueue};
    return PMQ_OK;
}

// --- added in 1.1 (version node PMQ_1.1) ---------------------------------

PMQ_API int pmq_wait(pmq_queue *q, unsigned events, int timeout_ms)
{
    if (q == nullptr)
        return null_argument("pmq_wait", "the queue handle");
    return guarded("pmq_wait", [&] {
        unsigned ready = 0;
        Status s = core::queue_wait(*unwrap(q), events, timeout_ms, &ready);
        return s.ok() ? static_cast<int>(ready) : to_c(s);
    });
}

PMQ_API int pmq_interrupt(pmq_queue *q)
{
    if (q == nullptr)
        return null_argument("pmq_interrupt", "the queue handle");
    return guarded("pmq_interrupt", [&] { return to_c(core::queue_interrupt(*unwrap(q))); });
}

PMQ_API int pmq_resume(pmq_queue *q)
{
    if (q == nullptr)
        return null_argument("pmq_resume", "the queue handle");
    return guarded("pmq_resume", [&] { return to_c(core::queue_resume(*unwrap(q))); });
}

PMQ_API int pmq_adopt(int fd, const char *name, pmq_queue **out)
{
    if (out == nullptr)
        return null_argument("pmq_adopt", "the out pointer (pmq_queue **)");
    return guarded("pmq_adopt", [&] {
        Queue *q = nullptr;
        Status s = core::adopt_queue(fd, name, &q);
        if (s.ok())
            *out = wrap(q);
        return to_c(s);
    });
}

PMQ_API int pmq_create_unique(const char *prefix, unsigned flags, unsigned mode,
                              int64_t max_messages, int64_t message_size, pmq_queue **out)
{
    if (out == nullptr)
        return null_argument("pmq_create_unique", "the out pointer (pmq_queue **)");
    return guarded("pmq_create_unique", [&] {
        Queue *q = nullptr;
        Status s =
            core::create_unique_queue(prefix, flags, mode, max_messages, message_size, &q);
        if (s.ok())
            *out = wrap(q);
        return to_c(s);
    });
}

PMQ_API const char *pmq_strerror(int code)
{
    switch (code) {
#define PMQ_STRERROR_CASE_(name, value, text) \
    case value: return text;
        PMQ_ERRNO_MAP(PMQ_STRERROR_CASE_)
#undef PMQ_STRERROR_CASE_
    }
    return "unknown libpmq error code";
}

PMQ_API const char *pmq_err_name(int code)
{
    switch (code) {
#define PMQ_ERR_NAME_CASE_(name, value, text) \
    case value: return "PMQ_" #name;
        PMQ_ERRNO_MAP(PMQ_ERR_NAME_CASE_)
#undef PMQ_ERR_NAME_CASE_
    }
    return "PMQ_UNKNOWN";
}

PMQ_API const char *pmq_last_error(void) { return core::last_explanation(); }

PMQ_API unsigned pmq_version_number(void) { return PMQ_VERSION_NUMBER; }

PMQ_API const char *pmq_version_string(void) { return PMQ_VERSION_STRING; }

} // extern "C"
