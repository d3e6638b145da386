// The core's result type and the calling thread's explanation of its last failure.
//
// Core functions return a Status; on failure they also leave a sentence in a
// thread-local buffer saying what went wrong and what to do about it.  The
// buffer is a plain array: no allocation, no TLS constructor or destructor.
#pragma once

namespace pmq::detail {

enum class Errc : int {
    ok,
    invalid_argument,
    bad_name,
    not_found,
    exists,
    permission_denied,
    would_block,
    timed_out,
    interrupted,
    message_size,
    bad_direction,
    limit,
    busy,
    no_memory,
    not_supported,
    system,
    canceled, // pmq_interrupt
};

class [[nodiscard]] Status {
public:
    constexpr Status() = default;
    constexpr explicit Status(Errc code) : code_(code) {}
    constexpr bool ok() const { return code_ == Errc::ok; }
    constexpr Errc code() const { return code_; }

private:
    Errc code_ = Errc::ok;
};

// Records the explanation (printf-style) for this thread and returns `code`.
Status fail(Errc code, const char *format, ...) __attribute__((format(printf, 2, 3)));

// The calling thread's last explanation; "" if it never failed.
const char *last_explanation();

// "EINVAL (Invalid argument)" for an errno value, for explanations.
const char *describe_errno(int err, char *buf, unsigned long size);

} // namespace pmq::detail
