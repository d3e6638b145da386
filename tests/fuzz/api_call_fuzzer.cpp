// libFuzzer target: the input is a little program of pmq_* calls.  Each step's
// first byte picks the call, the next bytes its arguments: names (valid, raw
// bytes with '/' and NUL, "/../x", very long, without a slash, NULL), flags,
// modes, sizes, priorities, timeouts and buffers.  Besides the sanitizers, it
// checks the contract every call must keep (see check_result).
//
// It runs in a private IPC namespace that it enters itself, so no queue it
// creates can reach the host; it also unlinks every name it used after each input.
#include <pmq/pmq.h>

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

namespace {

// The bytes of one input, read front to back; zeros once they run out.
class Input {
public:
    Input(const std::uint8_t *data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return at_ >= size_; }
    std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
    // Little-endian; each byte read in its own statement, in order.
    std::uint16_t u16()
    {
        const unsigned low = byte();
        return static_cast<std::uint16_t>(low | unsigned{byte()} << 8);
    }
    std::uint32_t u32()
    {
        const std::uint32_t low = u16();
        return low | std::uint32_t{u16()} << 16;
    }
    std::uint64_t u64()
    {
        const std::uint64_t low = u32();
        return low | std::uint64_t{u32()} << 32;
    }
    std::string bytes(std::size_t n)
    {
        std::string s;
        while (n-- > 0 && !empty())
            s.push_back(static_cast<char>(byte()));
        return s;
    }

private:
    const std::uint8_t *data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

[[noreturn]] void contract_broken(const char *what, int rc)
{
    std::fprintf(stderr, "contract broken: %s (rc %d, %s: %s)\n", what, rc, pmq_err_name(rc),
                 pmq_last_error());
    std::abort();
}

// Every int result is >= 0 or a known PMQ_E* code; a failure explains itself.
void check_result(int rc)
{
    if (rc >= 0)
        return;
    if (rc < PMQ_ESYS)
        contract_broken("unknown error code", rc);
    const char *why = pmq_last_error();
    if (why == nullptr || why[0] == '\0')
        contract_broken("failure without an explanation", rc);
    if (std::strncmp(pmq_err_name(rc), "PMQ_E", 5) != 0)
        contract_broken("error code without a name", rc);
}

constexpr std::size_t handle_slots = 4;
constexpr std::size_t buffer_bytes = 20000; // more than msgsize_max, to reach EMSGSIZE both ways
constexpr int max_steps = 64;

struct Handle {
    pmq_queue *q = nullptr;
    std::string name;
};

class Program {
public:
    explicit Program(Input &in) : in_(in) { message_.fill('m'); }
    Program(const Program &) = delete;
    Program &operator=(const Program &) = delete;
    ~Program()
    {
        for (Handle &h : handles_)
            check_result(pmq_close(h.q));
        for (const std::string &name : names_)
            pmq_unlink(name.c_str());
    }

    void run()
    {
        for (int step = 0; step < max_steps && !in_.empty(); ++step)
            call(in_.byte());
    }

private:
    // --- argument decoders -------------------------------------------------

    // Returns a name (kept alive in names_) or nullptr.
    const char *name()
    {
        std::string n;
        switch (in_.byte() % 8) {
        case 0: n = "/pmqfuzz-" + std::to_string(in_.byte() % 4); break; // a few shared queues
        case 1: {
            const std::size_t raw_length = in_.byte();
            n = in_.bytes(raw_length); // raw: '/', NUL, anything
            break;
        }
        case 2: {
            static const char *const tricky[] = {"/../x", "/..", "/.", "//", "/", "", "/a/", "./x"};
            n = tricky[in_.byte() % 8];
            break;
        }
        case 3: {
            const std::size_t long_length = in_.u16() % 2048;
            n = "/" + std::string(long_length, static_cast<char>('a' + in_.byte() % 26));
            break;
        }
        case 4: n = "pmqfuzz-" + std::to_string(in_.byte() % 4); break; // no slash
        case 5: return nullptr;
        case 6: n = std::string("/pmqfuzz-0\0tail", 15); break;         // embedded NUL
        default: {
            const Handle &h = handles_[in_.byte() % handle_slots];
            if (h.q == nullptr)
                return nullptr;
            n = h.name;
            break;
        }
        }
        names_.push_back(n);
        return names_.back().c_str();
    }
    unsigned flags()
    {
        const std::uint8_t b = in_.byte();
        return b < 0xf0 ? b & 0x0fu : in_.u32(); // mostly meaningful, sometimes anything
    }
    std::int64_t size()
    {
        const std::uint8_t b = in_.byte();
        if (b < 0xc0)
            return b % 24;                     // around the default limits (10)
        if (b < 0xf0)
            return in_.u16();                  // around msgsize_max
        return static_cast<std::int64_t>(in_.u64()); // anything, negative included
    }
    unsigned priority()
    {
        const std::uint8_t b = in_.byte();
        return b < 0xe0 ? b % 8 : in_.u32();
    }
    int timeout()
    {
        const auto t = static_cast<std::int8_t>(in_.byte());
        return t < 0 ? -1 : t % 3; // never wait more than 2 ms
    }
    std::size_t length() { return in_.u16() % (buffer_bytes + 1); }
    Handle &slot() { return handles_[in_.byte() % handle_slots]; }

    // --- guards against waiting forever ------------------------------------

    // True if a call on this handle with this timeout could wait for ever.
    bool could_hang(pmq_queue *q, int timeout_ms, bool sending)
    {
        if (q == nullptr || timeout_ms >= 0)
            return false;
        pmq_attr attr{};
        if (pmq_getattr(q, &attr) != 0)
            return true;
        if (attr.flags & PMQ_NONBLOCK)
            return false;
        return sending ? attr.current_messages >= attr.max_messages : attr.current_messages == 0;
    }
    bool could_hang(const char *n, unsigned call_flags, bool sending)
    {
        if (n == nullptr || (call_flags & PMQ_NONBLOCK) || (call_flags & ~PMQ_NONBLOCK))
            return false;
        pmq_attr attr{};
        // If pmq_info cannot open the queue in either direction, the call cannot
        // open it either, and fails at once.
        if (pmq_info(n, &attr) != 0)
            return false;
        return sending ? attr.current_messages >= attr.max_messages : attr.current_messages == 0;
    }

    // --- the calls ----------------------------------------------------------

    void open_into(Handle &h, int rc, pmq_queue *q, const char *n)
    {
        if (rc == 0) {
            if (q == nullptr || n == nullptr)
                contract_broken("success without a handle", rc);
            check_result(pmq_close(h.q));
            h.q = q;
            h.name = n;
        } else if (q != nullptr) {
            contract_broken("a failed open touched *out", rc);
        }
    }

    void call(std::uint8_t op)
    {
        switch (op % 18) {
        case 0: {
            Handle &h = slot();
            const char *n = name();
            const unsigned f = flags();
            const unsigned mode = in_.byte() < 0xf0 ? in_.u16() & 0777 : in_.u32();
            const std::int64_t max_messages = size();
            const std::int64_t message_size = size();
            pmq_queue *q = nullptr;
            const bool null_out = in_.byte() == 0xff;
            const int rc = pmq_create(n, f, mode, max_messages, message_size, null_out ? nullptr : &q);
            check_result(rc);
            if (!null_out)
                open_into(h, rc, q, n);
            else if (rc == 0)
                contract_broken("success with a NULL out-pointer", rc);
            break;
        }
        case 1: {
            Handle &h = slot();
            const char *n = name();
            pmq_queue *q = nullptr;
            const int rc = pmq_open(n, flags(), &q);
            check_result(rc);
            open_into(h, rc, q, n);
            break;
        }
        case 2: {
            Handle &h = slot();
            check_result(pmq_close(h.q));
            h.q = nullptr;
            break;
        }
        case 3: check_result(pmq_unlink(name())); break;
        case 4:
        case 5: {
            pmq_queue *q = slot().q;
            const std::size_t len = length();
            const unsigned prio = priority();
            const bool null_msg = in_.byte() == 0xff;
            const int t = op % 18 == 4 ? -1 : timeout();
            if (could_hang(q, t, true))
                break;
            const int rc = op % 18 == 4 ? pmq_send(q, null_msg ? nullptr : message_.data(), len, prio)
                                        : pmq_send_timed(q, null_msg ? nullptr : message_.data(), len, prio, t);
            check_result(rc);
            if (rc > 0)
                contract_broken("send returned a positive value", rc);
            break;
        }
        case 6:
        case 7: {
            pmq_queue *q = slot().q;
            const std::size_t cap = length();
            const bool null_buf = in_.byte() == 0xff;
            const bool want_priority = in_.byte() & 1;
            const int t = op % 18 == 6 ? -1 : timeout();
            if (could_hang(q, t, false))
                break;
            unsigned prio = 0;
            const int rc = op % 18 == 6
                               ? pmq_recv(q, null_buf ? nullptr : buffer_.data(), cap,
                                          want_priority ? &prio : nullptr)
                               : pmq_recv_timed(q, null_buf ? nullptr : buffer_.data(), cap,
                                                want_priority ? &prio : nullptr, t);
            check_received(q, rc, cap);
            break;
        }
        case 8: {
            pmq_queue *q = slot().q;
            pmq_attr attr{};
            const int rc = pmq_getattr(q, in_.byte() == 0xff ? nullptr : &attr);
            check_result(rc);
            if (rc == 0 && (attr.max_messages <= 0 || attr.message_size <= 0 ||
                            attr.current_messages < 0 || attr.current_messages > attr.max_messages))
                contract_broken("impossible attributes", rc);
            break;
        }
        case 9: {
            pmq_queue *q = slot().q;
            check_result(pmq_set_nonblocking(q, static_cast<std::int8_t>(in_.byte())));
            break;
        }
        case 10: {
            const int rc = pmq_fd(slot().q);
            check_result(rc);
            break;
        }
        case 11: {
            const Handle &h = slot();
            const char *n = pmq_name(h.q);
            if ((h.q == nullptr) != (n == nullptr) || (n != nullptr && h.name != n))
                contract_broken("pmq_name is not the name the handle was opened with", 0);
            break;
        }
        case 12: {
            const char *n = name();
            const std::size_t len = length();
            const unsigned prio = priority();
            const unsigned f = flags();
            if (could_hang(n, f, true))
                break;
            check_result(pmq_send_to(n, message_.data(), len, prio, f));
            break;
        }
        case 13: {
            const char *n = name();
            const std::size_t cap = length();
            const unsigned f = flags();
            if (could_hang(n, f, false))
                break;
            unsigned prio = 0;
            const int rc = pmq_recv_from(n, buffer_.data(), cap, &prio, f);
            check_result(rc);
            if (rc >= 0 && static_cast<std::size_t>(rc) > cap)
                contract_broken("received more than the buffer holds", rc);
            break;
        }
        case 14: {
            const char *n = name();
            pmq_attr attr{};
            check_result(pmq_info(n, in_.byte() == 0xff ? nullptr : &attr));
            break;
        }
        case 15: {
            pmq_limits limits{};
            check_result(pmq_get_limits(in_.byte() == 0xff ? nullptr : &limits));
            break;
        }
        case 16: {
            const int code = static_cast<int>(in_.u32());
            if (pmq_strerror(code) == nullptr || pmq_err_name(code) == nullptr ||
                pmq_last_error() == nullptr)
                contract_broken("a NULL string", code);
            break;
        }
        default: {
            // Notification: a no-op callback, or a signal whose default action is to ignore it.
            pmq_queue *q = slot().q;
            const std::uint8_t b = in_.byte();
            static const int signals[] = {0, SIGURG, SIGWINCH, -1, 65, 100000};
            const int rc = b & 1 ? pmq_notify(q, (b & 2) ? ignore_notification : nullptr, nullptr)
                                 : pmq_notify_signal(q, signals[(b >> 1) % 6]);
            check_result(rc);
            break;
        }
        }
    }

    void check_received(pmq_queue *q, int rc, std::size_t cap)
    {
        check_result(rc);
        if (rc < 0)
            return;
        pmq_attr attr{};
        if (static_cast<std::size_t>(rc) > cap ||
            (pmq_getattr(q, &attr) == 0 && rc > attr.message_size))
            contract_broken("a received length beyond the buffer or message_size", rc);
    }

    static void ignore_notification(pmq_queue *, void *) {}

    Input &in_;
    std::array<Handle, handle_slots> handles_{};
    std::deque<std::string> names_; // deque: c_str() stays valid as it grows
    std::array<char, buffer_bytes> message_{};
    std::array<char, buffer_bytes> buffer_{};
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    // Queues made from arbitrary names must never reach the host's namespace.
    if (::unshare(CLONE_NEWIPC) != 0) {
        std::fprintf(stderr,
                     "pmq-fuzz: cannot enter a private IPC namespace (%s); run it as root, "
                     "e.g. with scripts/fuzz\n",
                     std::strerror(errno));
        std::exit(1);
    }
    // A queue's notification signal must not end the run.
    ::signal(SIGURG, SIG_IGN);
    ::signal(SIGWINCH, SIG_IGN);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    Input in(data, size);
    Program program(in);
    program.run();
    return 0;
}
