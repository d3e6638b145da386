// Whether an endless wait that a signal handler interrupted should go on.
//
// libpmq waits in ppoll(), which the kernel never restarts, where 1.0 waited
// in mq_send/mq_receive, which it restarts when the handler was installed
// with SA_RESTART.  No interface tells which signal interrupted a call, so
// this asks the handlers of every signal that could have: the caught ones
// this thread does not block.
#pragma once

namespace pmq::detail {

// True when every handler that could have run was installed with
// SA_RESTART, or none could have (glibc's own signals, which restart).
// Up to NSIG sigaction() calls: for after an interruption only.
bool handlers_ask_for_restart();

} // namespace pmq::detail
