// Waiting on a handle without taking or sending anything (pmq_wait), and
// interrupting the calls that wait on it (pmq_interrupt, pmq_resume).
#pragma once

#include "queue.hpp"

namespace pmq::detail {

// events: open_flag::read (a message is waiting) and/or open_flag::write
// (there is room).  On success *ready holds the subset that is ready (never
// 0).  timeout_ms as in pmq.h.
Status queue_wait(Queue &q, unsigned events, int timeout_ms, unsigned *ready);

// Every call waiting on q returns Errc::canceled, and every later call that
// would wait does at once, until queue_resume.  Safe from any thread,
// notification callbacks included.
Status queue_interrupt(Queue &q);
Status queue_resume(Queue &q);

} // namespace pmq::detail
