// Sending and receiving on a queue handle, inline: the facade's pmq_send,
// pmq_recv and their timed forms compile down to their checks and the one
// system call, with no call frame between the caller and glibc.  Each frame
// a call returns through after its system call costs 1-2% of a 16-byte
// send+receive pair on the VMs this was measured on (far more than its few
// instructions; most likely mispredicted returns), so the hot path has none
// to spare (tests/perf checks that clang and g++ keep it so).
// Failures are explained out of line.
#pragma once

#include <cstddef>

#include "message_io.hpp"
#include "queue.hpp"
#include "queue_state.hpp"

namespace pmq::detail {

// The handle was opened without the direction (open_flag::read or ::write)
// that `operation` needs.
Status explain_wrong_direction(const Queue &q, unsigned needed, const char *operation);

[[gnu::always_inline]] inline Status queue_send(Queue &q, const void *msg, std::size_t len, unsigned priority,
                         int timeout_ms, const char *operation)
{
    const CallSite site{operation, q.name.c_str()};
    if (!(q.directions & open_flag::write)) [[unlikely]]
        return explain_wrong_direction(q, open_flag::write, operation);
    if (Status s = check_send_arguments(msg, len, priority, site); !s.ok())
        return s;
    return send_message({q.fd, q.try_fd, &q.nonblocking}, &q.interruption, msg, len, priority,
                        timeout_ms, site);
}

[[gnu::always_inline]] inline Status queue_receive(Queue &q, void *buf, std::size_t cap, unsigned *priority,
                            int timeout_ms, const char *operation, std::size_t *length)
{
    const CallSite site{operation, q.name.c_str()};
    if (!(q.directions & open_flag::read)) [[unlikely]]
        return explain_wrong_direction(q, open_flag::read, operation);
    if (Status s = check_receive_arguments(buf, site); !s.ok())
        return s;
    return receive_message({q.fd, q.try_fd, &q.nonblocking}, &q.interruption, buf, cap, priority,
                           timeout_ms, site, length);
}

} // namespace pmq::detail
