// Notification when a queue goes from empty to non-empty (mq_notify).
//
// The kernel decides who holds a queue's registration (PMQ_EBUSY otherwise),
// and it drops this process's registration whenever the process closes any
// descriptor of that queue, so libpmq keeps no "registered" flag of its own.
//
// Callbacks run on a thread that libpmq owns: SIGEV_THREAD done as glibc
// does it (the kernel sends a cookie to a netlink socket that a thread
// reads), but started lazily, retried after a failure (glibc's never is), and
// started afresh in a forked child.  They are found through a registry of
// tokens (the cookie) rather than a pointer, so a notification that races
// with pmq_close finds nothing instead of a freed handle, and pmq_close waits
// for a callback already running.
#pragma once

#include "queue.hpp"

namespace pmq::detail {

// fn and ctx are passed back to `call` untouched: the facade's trampoline
// calls the user's function with them.
using NotifyCallback = void (*)(Queue *q, void *fn, void *ctx);

// call NULL cancels this process's registration.
Status queue_notify(Queue &q, NotifyCallback call, void *fn, void *ctx);
// signo 0 cancels.
Status queue_notify_signal(Queue &q, int signo);

// Part of closing: drop any registration and wait for a running callback
// (unless the callback itself is closing the handle).  From its start, the
// handle's registrations (its callback's, made meanwhile) succeed as no-ops.
void cancel_notification_for_close(Queue &q);

} // namespace pmq::detail
