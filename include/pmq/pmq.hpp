/*
 * libpmq — the C++ API: a thin, header-only layer over the C API in pmq.h.
 *
 * C++17 (C++20 adds std::span overloads).  Written only against pmq.h: no C++
 * type crosses the shared-library boundary, so this header may be used with
 * any compiler and standard library that can call libpmq's C functions.
 *
 * Conventions:
 *  - Every call that can fail throws pmq::error, a std::system_error whose
 *    code() is a pmq::errc and whose what() is pmq_last_error()'s explanation
 *    at the time of the failure.  Each also has an overload taking a
 *    std::error_code& as its last argument, which reports the failure there
 *    instead of throwing (std::bad_alloc becomes errc::no_memory), clears it
 *    on success, and returns an empty queue / message, false, std::nullopt, 0
 *    or -1 on failure.
 *  - Failures found by this header before calling C (a name holding a NUL
 *    character, a queue that was moved from or closed) are explained by the
 *    exception's what(); pmq_last_error() does not see them.
 *  - try_send / try_receive never wait and report "full" / "empty" as false /
 *    std::nullopt; send_for / receive_for report "not within the timeout" the
 *    same way.  A timeout <= 0 does not wait; one above INT_MAX ms is clamped.
 *  - A pmq::queue is move-only.  A moved-from (or closed, or default-built)
 *    queue holds nothing: its calls fail with errc::invalid_argument, close()
 *    does nothing, name() is "" and c_handle() is nullptr.
 *  - One queue may be used by many threads at once for sends and receives, as
 *    the C handle may; moving, assigning, closing and destroying it may not
 *    overlap with any other use.
 *  - Calls marked (1.1) use functions of libpmq 1.1 (version node PMQ_1.1):
 *    wait / wait_for, interrupt / resume, adopt, create_unique.  After
 *    interrupt() every call that would wait throws errc::canceled (a
 *    std::errc::operation_canceled), the timed ones included: unlike a
 *    timeout it is not reported as "not now".
 *  - receive() without a buffer returns the message in a std::string sized
 *    from the queue's message_size.  That size is read once, when the queue is
 *    created or opened (it cannot change afterwards), so that receive() makes
 *    no extra system call.
 */
#ifndef PMQ_PMQ_HPP
#define PMQ_PMQ_HPP

#include <pmq/pmq.h>

#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#if __cplusplus >= 202002L && defined(__has_include)
#  if __has_include(<span>)
#    include <span>
#    if defined(__cpp_lib_span) && __cpp_lib_span >= 202002L
#      define PMQ_HPP_HAS_SPAN 1
#    endif
#  endif
#endif

namespace pmq {

// One enumerator per PMQ_E* code, with the same value.
enum class errc : int {
    invalid_argument = PMQ_EINVAL,
    invalid_name = PMQ_ENAME,
    not_found = PMQ_ENOENT,
    exists = PMQ_EEXIST,
    permission_denied = PMQ_EACCES,
    would_block = PMQ_EAGAIN,
    timed_out = PMQ_ETIMEDOUT,
    interrupted = PMQ_EINTR,
    message_size = PMQ_EMSGSIZE,
    bad_direction = PMQ_EBADF,
    limit = PMQ_ELIMIT,
    busy = PMQ_EBUSY,
    no_memory = PMQ_ENOMEM,
    not_supported = PMQ_ENOTSUP,
    system = PMQ_ESYS,
    canceled = PMQ_ECANCELED, // 1.1: pmq_interrupt (queue::interrupt)
};

namespace detail {

class error_category_impl final : public std::error_category {
public:
    const char *name() const noexcept override { return "pmq"; }

    std::string message(int code) const override { return pmq_strerror(code); }

    // Lets portable code compare with std::errc, e.g. ec == std::errc::timed_out.
    std::error_condition default_error_condition(int code) const noexcept override
    {
        switch (static_cast<errc>(code)) {
        case errc::invalid_argument: return std::errc::invalid_argument;
        case errc::not_found: return std::errc::no_such_file_or_directory;
        case errc::exists: return std::errc::file_exists;
        case errc::permission_denied: return std::errc::permission_denied;
        case errc::would_block: return std::errc::resource_unavailable_try_again;
        case errc::timed_out: return std::errc::timed_out;
        case errc::interrupted: return std::errc::interrupted;
        case errc::message_size: return std::errc::message_size;
        case errc::bad_direction: return std::errc::bad_file_descriptor;
        case errc::busy: return std::errc::device_or_resource_busy;
        case errc::no_memory: return std::errc::not_enough_memory;
        case errc::not_supported: return std::errc::not_supported;
        case errc::canceled: return std::errc::operation_canceled;
        default: return std::error_condition(code, *this);
        }
    }
};

} // namespace detail

// The category of every pmq::errc.  Being header-only, it is one object per
// program, or per shared object that hides its inline symbols.
inline const std::error_category &category() noexcept
{
    static const detail::error_category_impl instance;
    return instance;
}

inline std::error_code make_error_code(errc e) noexcept
{
    return std::error_code(static_cast<int>(e), category());
}

} // namespace pmq

namespace std {
template <>
struct is_error_code_enum<pmq::errc> : true_type {};
} // namespace std

namespace pmq {

// What every throwing call throws.  what() is the explanation alone, not
// prefixed or suffixed with the code's message.
class error : public std::system_error {
public:
    error(std::error_code code, const std::string &explanation)
        : std::system_error(code, explanation),
          // std::runtime_error copies without throwing, as an exception must.
          explanation_(explanation.empty() ? code.message() : explanation)
    {
    }

    const char *what() const noexcept override { return explanation_.what(); }

private:
    std::runtime_error explanation_;
};

enum class access { read, write, read_write };

struct create_options {
    std::int64_t max_messages = 0, message_size = 0; // 0: the system default
    unsigned mode = 0;                               // 0: 0600
    bool exclusive = false, nonblocking = false;
};

struct attributes {
    std::int64_t max_messages = 0, message_size = 0, current_messages = 0;
    bool nonblocking = false;
};

struct message {
    std::string data;
    unsigned priority = 0;
};

// What queue::wait / wait_for wait for, and report ready: a message waiting,
// room to send, or both.  Combine with | and test with &.
enum class events : unsigned {
    none = 0,
    message = PMQ_READ,
    room = PMQ_WRITE,
    message_or_room = PMQ_READ | PMQ_WRITE,
};
constexpr events operator|(events a, events b) noexcept
{
    return static_cast<events>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr events operator&(events a, events b) noexcept
{
    return static_cast<events>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}

namespace detail {

// Failures this header finds before calling C.  Their values lie outside the
// PMQ_E* range so that the explanation can say what went wrong.
constexpr int empty_queue = INT_MIN;
constexpr int name_with_nul = INT_MIN + 1;
constexpr int wait_forever = -1;

inline errc to_errc(int rc) noexcept
{
    switch (rc) {
    case empty_queue: return errc::invalid_argument;
    case name_with_nul: return errc::invalid_name;
    default: return static_cast<errc>(rc);
    }
}

// The name as C needs it: NUL-terminated, or name_with_nul if C could not see
// all of it.
inline int c_name(std::string_view name, std::string &out)
{
    if (name.find('\0') != std::string_view::npos)
        return name_with_nul;
    out.assign(name.data(), name.size());
    return 0;
}

inline std::string explain(int rc, const char *operation, std::string_view name)
{
    switch (rc) {
    case empty_queue:
        return std::string(operation) +
               ": this pmq::queue holds no queue (it was moved from or closed); "
               "create or open one first";
    case name_with_nul: {
        std::string shown;
        for (char c : name)
            shown += c == '\0' ? std::string("\\0") : std::string(1, c);
        return std::string(operation) + "(\"" + shown +
               "\"): a queue name cannot contain a NUL character; remove it";
    }
    default: return pmq_last_error();
    }
}

[[noreturn]] inline void throw_error(int rc, const char *operation, std::string_view name = {})
{
    throw error(make_error_code(to_errc(rc)), explain(rc, operation, name));
}

// Fills ec from a C result; returns true on success.
inline bool report(int rc, std::error_code &ec) noexcept
{
    if (rc >= 0) {
        ec.clear();
        return true;
    }
    ec = make_error_code(to_errc(rc));
    return false;
}

inline int timeout_ms(std::chrono::milliseconds timeout) noexcept
{
    if (timeout.count() <= 0)
        return 0;
    if (timeout.count() > INT_MAX)
        return INT_MAX;
    return static_cast<int>(timeout.count());
}

// "Not now": the queue was full / empty for the whole wait.
inline bool not_now(int rc) noexcept
{
    return rc == PMQ_EAGAIN || rc == PMQ_ETIMEDOUT;
}

inline unsigned flags_of(access direction) noexcept
{
    switch (direction) {
    case access::read: return PMQ_READ;
    case access::write: return PMQ_WRITE;
    case access::read_write: return PMQ_READ | PMQ_WRITE;
    }
    return 0; // not a direction: C refuses it with PMQ_EINVAL
}

} // namespace detail

class queue {
public:
    // An empty queue, as if moved from.
    queue() noexcept = default;

    queue(queue &&other) noexcept
        : handle_(std::exchange(other.handle_, nullptr)),
          message_size_(std::exchange(other.message_size_, 0))
    {
    }

    queue &operator=(queue &&other) noexcept
    {
        if (this != &other) {
            reset();
            handle_ = std::exchange(other.handle_, nullptr);
            message_size_ = std::exchange(other.message_size_, 0);
        }
        return *this;
    }

    queue(const queue &) = delete;
    queue &operator=(const queue &) = delete;

    // Closes the queue; a failure to close is ignored, as a destructor must.
    ~queue() { reset(); }

    // --- creating, opening, removing ----------------------------------------

    // Creates the queue, or opens it if it exists and options.exclusive is
    // false (it then keeps its own attributes and messages).
    [[nodiscard]] static queue create(std::string_view name, access direction,
                                      const create_options &options = {})
    {
        queue q;
        const int rc = q.create_or_open(name, direction, &options, false);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::create", name);
        return q;
    }
    [[nodiscard]] static queue create(std::string_view name, access direction, std::error_code &ec)
    {
        return create(name, direction, create_options{}, ec);
    }
    [[nodiscard]] static queue create(std::string_view name, access direction,
                                      const create_options &options, std::error_code &ec)
    {
        queue q;
        create_or_open_reporting(q, name, direction, &options, false, ec);
        return q;
    }

    // Opens an existing queue.
    [[nodiscard]] static queue open(std::string_view name, access direction,
                                    bool nonblocking = false)
    {
        queue q;
        const int rc = q.create_or_open(name, direction, nullptr, nonblocking);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::open", name);
        return q;
    }
    [[nodiscard]] static queue open(std::string_view name, access direction, std::error_code &ec)
    {
        return open(name, direction, false, ec);
    }
    [[nodiscard]] static queue open(std::string_view name, access direction, bool nonblocking,
                                    std::error_code &ec)
    {
        queue q;
        create_or_open_reporting(q, name, direction, nullptr, nonblocking, ec);
        return q;
    }

    // Owns a message-queue descriptor opened elsewhere (inherited across exec,
    // or passed by systemd for ListenMessageQueue=); closing the queue closes
    // it.  Not a message queue: errc::invalid_argument, the descriptor left
    // untouched.  `name` is a label for name() and explanations (1.1).
    [[nodiscard]] static queue adopt(int fd, std::string_view name = {})
    {
        queue q;
        const int rc = q.adopt_descriptor(fd, name);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::adopt", name);
        return q;
    }
    [[nodiscard]] static queue adopt(int fd, std::string_view name, std::error_code &ec)
    {
        queue q;
        try {
            detail::report(q.adopt_descriptor(fd, name), ec);
        } catch (const std::bad_alloc &) {
            ec = make_error_code(errc::no_memory);
        }
        return q;
    }

    // Creates a new queue named prefix + 16 random characters (exclusively,
    // whatever options.exclusive says), e.g. a private reply queue; name()
    // tells the name to give the other side (1.1).
    [[nodiscard]] static queue create_unique(std::string_view prefix, access direction,
                                             const create_options &options = {})
    {
        queue q;
        const int rc = q.create_with_unique_name(prefix, direction, options);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::create_unique", prefix);
        return q;
    }
    [[nodiscard]] static queue create_unique(std::string_view prefix, access direction,
                                             const create_options &options, std::error_code &ec)
    {
        queue q;
        try {
            detail::report(q.create_with_unique_name(prefix, direction, options), ec);
        } catch (const std::bad_alloc &) {
            ec = make_error_code(errc::no_memory);
        }
        return q;
    }

    // Removes the name; the queue lives on until its last handle is closed.
    static void unlink(std::string_view name)
    {
        const int rc = unlink_name(name);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::unlink", name);
    }
    static void unlink(std::string_view name, std::error_code &ec)
    {
        try {
            detail::report(unlink_name(name), ec);
        } catch (const std::bad_alloc &) {
            ec = make_error_code(errc::no_memory);
        }
    }

    // Closes the queue now, reporting a failure (the queue then stays open).
    // Closing an empty queue does nothing, as pmq_close(NULL) does.
    void close()
    {
        const int rc = close_handle();
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::close");
    }
    void close(std::error_code &ec) { detail::report(close_handle(), ec); }

    // --- sending --------------------------------------------------------------

    // Waits while the queue is full (unless the queue is non-blocking: then
    // errc::would_block).
    void send(std::string_view data, unsigned priority = 0)
    {
        send(data.data(), data.size(), priority);
    }
    void send(std::string_view data, std::error_code &ec) { send(data, 0, ec); }
    void send(std::string_view data, unsigned priority, std::error_code &ec)
    {
        send(data.data(), data.size(), priority, ec);
    }
    void send(const void *data, std::size_t size, unsigned priority)
    {
        const int rc = send_raw(data, size, priority, detail::wait_forever);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::send");
    }
    void send(const void *data, std::size_t size, unsigned priority, std::error_code &ec)
    {
        detail::report(send_raw(data, size, priority, detail::wait_forever), ec);
    }

    // Never waits: false if the queue is full.
    [[nodiscard]] bool try_send(std::string_view data, unsigned priority = 0)
    {
        return send_within(data.data(), data.size(), priority, 0, "pmq::queue::try_send");
    }
    [[nodiscard]] bool try_send(std::string_view data, std::error_code &ec)
    {
        return try_send(data, 0, ec);
    }
    [[nodiscard]] bool try_send(std::string_view data, unsigned priority, std::error_code &ec)
    {
        return send_within(data.data(), data.size(), priority, 0, ec);
    }

    // Waits at most `timeout` for room: false if there was none.
    [[nodiscard]] bool send_for(std::string_view data, std::chrono::milliseconds timeout,
                                unsigned priority = 0)
    {
        return send_within(data.data(), data.size(), priority, detail::timeout_ms(timeout),
                           "pmq::queue::send_for");
    }
    [[nodiscard]] bool send_for(std::string_view data, std::chrono::milliseconds timeout,
                                std::error_code &ec)
    {
        return send_for(data, timeout, 0, ec);
    }
    [[nodiscard]] bool send_for(std::string_view data, std::chrono::milliseconds timeout,
                                unsigned priority, std::error_code &ec)
    {
        return send_within(data.data(), data.size(), priority, detail::timeout_ms(timeout), ec);
    }

#ifdef PMQ_HPP_HAS_SPAN
    void send(std::span<const std::byte> data, unsigned priority = 0)
    {
        send(data.data(), data.size(), priority);
    }
    void send(std::span<const std::byte> data, unsigned priority, std::error_code &ec)
    {
        send(data.data(), data.size(), priority, ec);
    }
    [[nodiscard]] bool try_send(std::span<const std::byte> data, unsigned priority = 0)
    {
        return send_within(data.data(), data.size(), priority, 0, "pmq::queue::try_send");
    }
    [[nodiscard]] bool try_send(std::span<const std::byte> data, unsigned priority,
                                std::error_code &ec)
    {
        return send_within(data.data(), data.size(), priority, 0, ec);
    }
    [[nodiscard]] bool send_for(std::span<const std::byte> data, std::chrono::milliseconds timeout,
                                unsigned priority = 0)
    {
        return send_within(data.data(), data.size(), priority, detail::timeout_ms(timeout),
                           "pmq::queue::send_for");
    }
    [[nodiscard]] bool send_for(std::span<const std::byte> data, std::chrono::milliseconds timeout,
                                unsigned priority, std::error_code &ec)
    {
        return send_within(data.data(), data.size(), priority, detail::timeout_ms(timeout), ec);
    }
#endif

    // --- receiving -------------------------------------------------------------

    // Waits for a message and copies it into buf, whose capacity must be at
    // least the queue's message_size (else errc::message_size, nothing
    // consumed).  Returns its length; stores its priority unless nullptr.
    [[nodiscard]] std::size_t receive(void *buf, std::size_t cap, unsigned *priority = nullptr)
    {
        const int rc = receive_raw(buf, cap, priority, detail::wait_forever);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::receive");
        return static_cast<std::size_t>(rc);
    }
    [[nodiscard]] std::size_t receive(void *buf, std::size_t cap, std::error_code &ec)
    {
        return receive(buf, cap, nullptr, ec);
    }
    [[nodiscard]] std::size_t receive(void *buf, std::size_t cap, unsigned *priority,
                                      std::error_code &ec)
    {
        const int rc = receive_raw(buf, cap, priority, detail::wait_forever);
        return detail::report(rc, ec) ? static_cast<std::size_t>(rc) : 0;
    }

#ifdef PMQ_HPP_HAS_SPAN
    [[nodiscard]] std::size_t receive(std::span<std::byte> buf, unsigned *priority = nullptr)
    {
        return receive(buf.data(), buf.size(), priority);
    }
    [[nodiscard]] std::size_t receive(std::span<std::byte> buf, unsigned *priority,
                                      std::error_code &ec)
    {
        return receive(buf.data(), buf.size(), priority, ec);
    }
#endif

    // Waits for a message and returns it.
    [[nodiscard]] message receive()
    {
        message m;
        const int rc = receive_message(m, detail::wait_forever);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::receive");
        return m;
    }
    [[nodiscard]] message receive(std::error_code &ec)
    {
        message m;
        receive_message(m, detail::wait_forever, ec);
        return m;
    }

    // Never waits: std::nullopt if the queue is empty.
    [[nodiscard]] std::optional<message> try_receive()
    {
        return receive_within(0, "pmq::queue::try_receive");
    }
    [[nodiscard]] std::optional<message> try_receive(std::error_code &ec)
    {
        return receive_within(0, ec);
    }

    // Waits at most `timeout` for a message: std::nullopt if none came.
    [[nodiscard]] std::optional<message> receive_for(std::chrono::milliseconds timeout)
    {
        return receive_within(detail::timeout_ms(timeout), "pmq::queue::receive_for");
    }
    [[nodiscard]] std::optional<message> receive_for(std::chrono::milliseconds timeout,
                                                     std::error_code &ec)
    {
        return receive_within(detail::timeout_ms(timeout), ec);
    }

    // --- state -------------------------------------------------------------------

    [[nodiscard]] pmq::attributes attributes() const
    {
        pmq::attributes a;
        const int rc = get_attributes(a);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::attributes");
        return a;
    }
    [[nodiscard]] pmq::attributes attributes(std::error_code &ec) const noexcept
    {
        pmq::attributes a;
        detail::report(get_attributes(a), ec);
        return a;
    }

    void set_nonblocking(bool on)
    {
        const int rc = change_nonblocking(on);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::set_nonblocking");
    }
    void set_nonblocking(bool on, std::error_code &ec) noexcept
    {
        detail::report(change_nonblocking(on), ec);
    }

    // Waits, taking and sending nothing, until `wanted` is ready (1.1):
    // returns what is (never events::none).  Throws errc::canceled after
    // interrupt(), errc::interrupted for a signal handler, would_block on a
    // non-blocking queue with nothing ready; bad_direction for a direction
    // the queue was not opened for.
    [[nodiscard]] events wait(events wanted = events::message)
    {
        const int rc = wait_raw(wanted, detail::wait_forever);
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::wait");
        return static_cast<events>(static_cast<unsigned>(rc));
    }
    [[nodiscard]] events wait(events wanted, std::error_code &ec) noexcept
    {
        const int rc = wait_raw(wanted, detail::wait_forever);
        return detail::report(rc, ec) ? static_cast<events>(static_cast<unsigned>(rc))
                                      : events::none;
    }
    // Waits at most `timeout`: events::none if nothing became ready.
    [[nodiscard]] events wait_for(events wanted, std::chrono::milliseconds timeout)
    {
        const int rc = wait_raw(wanted, detail::timeout_ms(timeout));
        if (detail::not_now(rc))
            return events::none;
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::wait_for");
        return static_cast<events>(static_cast<unsigned>(rc));
    }
    [[nodiscard]] events wait_for(events wanted, std::chrono::milliseconds timeout,
                                  std::error_code &ec) noexcept
    {
        const int rc = wait_raw(wanted, detail::timeout_ms(timeout));
        if (detail::not_now(rc)) {
            ec.clear();
            return events::none;
        }
        return detail::report(rc, ec) ? static_cast<events>(static_cast<unsigned>(rc))
                                      : events::none;
    }

    // Every call blocked on this queue (send, receive, wait) ends with
    // errc::canceled, and so does every later one that would wait, until
    // resume() (1.1).  Any thread may call it, a notification callback too.
    // Use it to stop a worker blocked in receive() without signals.
    void interrupt()
    {
        const int rc = handle_ != nullptr ? pmq_interrupt(handle_) : detail::empty_queue;
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::interrupt");
    }
    void interrupt(std::error_code &ec) noexcept
    {
        detail::report(handle_ != nullptr ? pmq_interrupt(handle_) : detail::empty_queue, ec);
    }
    void resume()
    {
        const int rc = handle_ != nullptr ? pmq_resume(handle_) : detail::empty_queue;
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::resume");
    }
    void resume(std::error_code &ec) noexcept
    {
        detail::report(handle_ != nullptr ? pmq_resume(handle_) : detail::empty_queue, ec);
    }

    // A descriptor for poll/epoll/select, still owned by the queue.
    [[nodiscard]] int native_handle() const
    {
        const int rc = descriptor();
        if (rc < 0)
            detail::throw_error(rc, "pmq::queue::native_handle");
        return rc;
    }
    [[nodiscard]] int native_handle(std::error_code &ec) const noexcept
    {
        const int rc = descriptor();
        return detail::report(rc, ec) ? rc : -1;
    }

    // The C handle, for calls this header does not wrap (e.g. pmq_notify).
    // Still owned by the queue: do not pmq_close it.
    [[nodiscard]] pmq_queue *c_handle() const noexcept
    {
        return handle_;
    }

    // The name the queue was created or opened with; "" if empty.
    [[nodiscard]] std::string_view name() const noexcept
    {
        const char *n = handle_ != nullptr ? pmq_name(handle_) : nullptr;
        return n != nullptr ? std::string_view(n) : std::string_view();
    }

    // True if the queue holds an open queue.
    explicit operator bool() const noexcept
    {
        return handle_ != nullptr;
    }

private:
    // `options` is nullptr to open an existing queue.
    int create_or_open(std::string_view name, access direction, const create_options *options,
                       bool nonblocking)
    {
        std::string terminated;
        if (const int rc = detail::c_name(name, terminated); rc < 0)
            return rc;
        unsigned flags = detail::flags_of(direction);
        pmq_queue *handle = nullptr;
        int rc;
        if (options != nullptr) {
            if (options->exclusive)
                flags |= PMQ_EXCL;
            if (options->nonblocking)
                flags |= PMQ_NONBLOCK;
            rc = pmq_create(terminated.c_str(), flags, options->mode, options->max_messages,
                            options->message_size, &handle);
        } else {
            if (nonblocking)
                flags |= PMQ_NONBLOCK;
            rc = pmq_open(terminated.c_str(), flags, &handle);
        }
        if (rc < 0)
            return rc;
        return take(handle);
    }

    // Holds `handle` from now on, with its message_size read once.
    int take(pmq_queue *handle)
    {
        pmq_attr attr{};
        const int rc = pmq_getattr(handle, &attr);
        if (rc < 0) {
            pmq_close(handle);
            return rc;
        }
        reset();
        handle_ = handle;
        message_size_ = static_cast<std::size_t>(attr.message_size);
        return 0;
    }

    int adopt_descriptor(int fd, std::string_view name)
    {
        std::string terminated;
        if (const int rc = detail::c_name(name, terminated); rc < 0)
            return rc;
        pmq_queue *handle = nullptr;
        const int rc = pmq_adopt(fd, terminated.c_str(), &handle);
        return rc < 0 ? rc : take(handle);
    }

    int create_with_unique_name(std::string_view prefix, access direction,
                                const create_options &options)
    {
        std::string terminated;
        if (const int rc = detail::c_name(prefix, terminated); rc < 0)
            return rc;
        unsigned flags = detail::flags_of(direction);
        if (options.nonblocking)
            flags |= PMQ_NONBLOCK;
        pmq_queue *handle = nullptr;
        const int rc = pmq_create_unique(terminated.c_str(), flags, options.mode,
                                         options.max_messages, options.message_size, &handle);
        return rc < 0 ? rc : take(handle);
    }

    int wait_raw(events wanted, int timeout) const noexcept
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        return pmq_wait(handle_, static_cast<unsigned>(wanted), timeout);
    }

    static void create_or_open_reporting(queue &q, std::string_view name, access direction,
                                         const create_options *options, bool nonblocking,
                                         std::error_code &ec)
    {
        try {
            detail::report(q.create_or_open(name, direction, options, nonblocking), ec);
        } catch (const std::bad_alloc &) {
            ec = make_error_code(errc::no_memory);
        }
    }

    static int unlink_name(std::string_view name)
    {
        std::string terminated;
        if (const int rc = detail::c_name(name, terminated); rc < 0)
            return rc;
        return pmq_unlink(terminated.c_str());
    }

    int close_handle()
    {
        const int rc = pmq_close(handle_);
        if (rc >= 0) {
            handle_ = nullptr;
            message_size_ = 0;
        }
        return rc;
    }

    void reset() noexcept
    {
        if (handle_ != nullptr)
            pmq_close(handle_);
        handle_ = nullptr;
        message_size_ = 0;
    }

    int send_raw(const void *data, std::size_t size, unsigned priority, int timeout) const
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        return timeout == detail::wait_forever
                   ? pmq_send(handle_, data, size, priority)
                   : pmq_send_timed(handle_, data, size, priority, timeout);
    }

    bool send_within(const void *data, std::size_t size, unsigned priority, int timeout,
                     const char *operation)
    {
        const int rc = send_raw(data, size, priority, timeout);
        if (rc >= 0)
            return true;
        if (detail::not_now(rc))
            return false;
        detail::throw_error(rc, operation);
    }

    bool send_within(const void *data, std::size_t size, unsigned priority, int timeout,
                     std::error_code &ec)
    {
        const int rc = send_raw(data, size, priority, timeout);
        if (detail::not_now(rc)) {
            ec.clear();
            return false;
        }
        return detail::report(rc, ec);
    }

    int receive_raw(void *buf, std::size_t cap, unsigned *priority, int timeout) const
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        return timeout == detail::wait_forever
                   ? pmq_recv(handle_, buf, cap, priority)
                   : pmq_recv_timed(handle_, buf, cap, priority, timeout);
    }

    // Receives into m.data, sized from the cached message_size.
    int receive_message(message &m, int timeout)
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        m.data.resize(message_size_);
        const int rc = receive_raw(m.data.data(), m.data.size(), &m.priority, timeout);
        m.data.resize(rc >= 0 ? static_cast<std::size_t>(rc) : 0);
        return rc;
    }

    int receive_message(message &m, int timeout, std::error_code &ec)
    {
        try {
            const int rc = receive_message(m, timeout);
            detail::report(rc, ec);
            return rc;
        } catch (const std::bad_alloc &) {
            ec = make_error_code(errc::no_memory);
            return PMQ_ENOMEM;
        }
    }

    std::optional<message> receive_within(int timeout, const char *operation)
    {
        message m;
        const int rc = receive_message(m, timeout);
        if (rc >= 0)
            return m;
        if (detail::not_now(rc))
            return std::nullopt;
        detail::throw_error(rc, operation);
    }

    std::optional<message> receive_within(int timeout, std::error_code &ec)
    {
        message m;
        const int rc = receive_message(m, timeout, ec);
        if (rc >= 0)
            return m;
        if (detail::not_now(rc))
            ec.clear();
        return std::nullopt;
    }

    int get_attributes(pmq::attributes &out) const noexcept
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        pmq_attr attr{};
        const int rc = pmq_getattr(handle_, &attr);
        if (rc >= 0)
            out = pmq::attributes{attr.max_messages, attr.message_size, attr.current_messages,
                                  (attr.flags & PMQ_NONBLOCK) != 0};
        return rc;
    }

    int change_nonblocking(bool on) const noexcept
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        return pmq_set_nonblocking(handle_, on ? 1 : 0);
    }

    int descriptor() const noexcept
    {
        if (handle_ == nullptr)
            return detail::empty_queue;
        return pmq_fd(handle_);
    }

    pmq_queue *handle_ = nullptr;
    // The queue's message_size, read at create/open; it never changes.
    std::size_t message_size_ = 0;
};

} // namespace pmq

#undef PMQ_HPP_HAS_SPAN

#endif /* PMQ_PMQ_HPP */
