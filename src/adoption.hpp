// Taking ownership of a message-queue descriptor opened elsewhere
// (pmq_adopt): one inherited across exec, or passed by systemd for
// ListenMessageQueue= in a socket unit.
#pragma once

#include "queue.hpp"

namespace pmq::detail {

// Checks that fd is an open message-queue descriptor and reads its access
// mode; on success the new handle owns it (closing the handle closes it) and
// it is made close-on-exec like every descriptor libpmq owns.  On failure fd
// is left open and untouched.  name (NULL: "") is what the handle reports
// and explanations cite; it is a label, not checked against the name rules.
Status adopt_queue(int fd, const char *name, Queue **out);

} // namespace pmq::detail
