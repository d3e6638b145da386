/*
 * libpmq — POSIX message queues, safely and fast.  The C API.
 *
 * Conventions (they hold for every function below):
 *  - Every int function returns 0 on success (or a length / descriptor where
 *    stated) and a negative PMQ_E* code on failure.  No function reads or sets
 *    errno.
 *  - After a failure, pmq_last_error() explains it in a sentence a person can
 *    act on.  The text belongs to the calling thread and stays valid until
 *    that thread's next failing call.
 *  - A failing call changes nothing: no queue half-created, no message
 *    consumed, no handle closed.
 *  - Every function is thread-safe.  One handle may be used by many threads at
 *    once for sends and receives; closing a handle another thread still uses
 *    is the caller's bug.
 *  - Handles are opaque, descriptors are close-on-exec, and the strings
 *    returned by pmq_strerror(), pmq_err_name() and pmq_version_string() are
 *    static.
 *  - timeout_ms: < 0 waits forever, 0 never waits (PMQ_EAGAIN), > 0 waits at
 *    most that many milliseconds of CLOCK_MONOTONIC.  A non-blocking handle
 *    never waits.  A wait interrupted by a signal handler returns PMQ_EINTR;
 *    only an endless wait (timeout < 0) is restarted instead when the handler
 *    was installed with SA_RESTART, as read() is.  (Since 1.1 an endless
 *    wait past its first 4 ms waits in ppoll(), and no interface says which
 *    signal interrupted that: it restarts when every caught signal the thread
 *    does not block has an SA_RESTART handler, and returns PMQ_EINTR
 *    otherwise; fault signals such as SIGSEGV and SIGBUS, raised only by the
 *    faulting instruction, are not counted.)
 *  - Since 1.1 a send or receive that must wait first tries without waiting
 *    (on a ready queue that is the one system call).  A handle holds a
 *    second, non-blocking descriptor of its queue for that try, so that it
 *    is the plain mq_send/mq_receive of 1.0 (an expired deadline makes the
 *    kernel copy and check a timespec per call: 8% of a 16-byte pair); a
 *    handle therefore counts two descriptors against RLIMIT_NOFILE, and
 *    where the second cannot be had (no /proc, no descriptor left) it tries
 *    with an expired deadline instead.  pmq_fd() returns the first.  An
 *    endless call that must wait then waits up to 4 ms inside the kernel's
 *    mq_timedsend/mq_timedreceive, where the other side hands it the
 *    message or the room at once, as in 1.0.
 *    After that, and for timed calls and pmq_wait from the start, it waits in
 *    ppoll() on the queue's descriptor and a per-handle eventfd that
 *    pmq_interrupt writes (made on the handle's first wait; while no
 *    descriptor is left for it the wait looks every 5 ms).  So pmq_interrupt
 *    is noticed within 4 ms at most (more only if the wall clock is set back
 *    during those 4 ms: the kernel's deadline is CLOCK_REALTIME).
 *    pthread_cancel of a thread blocked in any of them unwinds cleanly.
 *
 * Pure C99: this header must compile with -std=c99 -pedantic and from C++.
 */
#ifndef PMQ_PMQ_H
#define PMQ_PMQ_H

#include <stddef.h>
#include <stdint.h>

#include <pmq/version.h>

#if defined(__GNUC__) && __GNUC__ >= 4
#  define PMQ_API __attribute__((visibility("default")))
#else
#  define PMQ_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes.  Their values are fixed forever and never reused.
 * XX(NAME, VALUE, TEXT): PMQ_##NAME = VALUE, pmq_strerror() returns TEXT. */
#define PMQ_ERRNO_MAP(XX)                                                         \
    XX(OK,         0, "success")                                                  \
    XX(EINVAL,    -1, "invalid argument")                                         \
    XX(ENAME,     -2, "invalid queue name")                                       \
    XX(ENOENT,    -3, "no such queue")                                            \
    XX(EEXIST,    -4, "queue already exists")                                     \
    XX(EACCES,    -5, "permission denied")                                        \
    XX(EAGAIN,    -6, "operation would block")                                    \
    XX(ETIMEDOUT, -7, "timed out")                                                \
    XX(EINTR,     -8, "interrupted by a signal")                                  \
    XX(EMSGSIZE,  -9, "message larger than the queue's message size, or buffer smaller") \
    XX(EBADF,    -10, "handle not open in that direction")                        \
    XX(ELIMIT,   -11, "a system limit refused the request")                       \
    XX(EBUSY,    -12, "another registration already holds the queue's notification") \
    XX(ENOMEM,   -13, "out of memory")                                            \
    XX(ENOTSUP,  -14, "not supported on this platform")                           \
    XX(ESYS,     -15, "unexpected system error")                                \
    XX(ECANCELED, -16, "interrupted by pmq_interrupt")

typedef enum pmq_error {
#define PMQ_ERROR_ENUM_(name, value, text) PMQ_##name = (value),
    PMQ_ERRNO_MAP(PMQ_ERROR_ENUM_)
#undef PMQ_ERROR_ENUM_
} pmq_error;

/* Flags (unsigned).  Any other bit set gives PMQ_EINVAL. */
#define PMQ_READ     0x01u /* open for receiving */
#define PMQ_WRITE    0x02u /* open for sending; PMQ_READ|PMQ_WRITE = both */
#define PMQ_EXCL     0x04u /* pmq_create: fail with PMQ_EEXIST if it exists */
#define PMQ_NONBLOCK 0x08u /* never wait: PMQ_EAGAIN instead */

typedef struct pmq_queue pmq_queue; /* opaque handle */

typedef struct pmq_attr {
    int64_t  max_messages;     /* mq_maxmsg */
    int64_t  message_size;     /* mq_msgsize: the largest message, bytes */
    int64_t  current_messages; /* mq_curmsgs */
    uint32_t flags;            /* PMQ_NONBLOCK if this handle is non-blocking */
    uint32_t reserved;         /* 0 */
} pmq_attr;

typedef struct pmq_limits {    /* -1 where the platform does not say */
    int64_t prio_max;          /* priorities are 0 .. prio_max-1 */
    int64_t name_max;          /* longest name after the leading '/' */
    int64_t msg_max, msgsize_max, msg_default, msgsize_default, queues_max;
    int64_t rlimit_msgqueue;   /* bytes this user may use for queues; -1 = unlimited */
} pmq_limits;

/* 1 if this platform has POSIX message queues, else 0 (and every other call
 * returns PMQ_ENOTSUP). */
PMQ_API int pmq_supported(void);

/* Create a queue, or open it if it exists and PMQ_EXCL is not given (an
 * existing queue keeps its own attributes and messages).  flags: at least one
 * of PMQ_READ / PMQ_WRITE, optionally PMQ_EXCL and PMQ_NONBLOCK.  mode: the
 * permission bits (<= 0777, umask applies); 0 means 0600.  max_messages and
 * message_size: 0 means the system default for that field. */
PMQ_API int pmq_create(const char *name, unsigned flags, unsigned mode,
                       int64_t max_messages, int64_t message_size, pmq_queue **out);
/* Open an existing queue.  flags: PMQ_READ / PMQ_WRITE, optionally
 * PMQ_NONBLOCK. */
PMQ_API int pmq_open(const char *name, unsigned flags, pmq_queue **out);
/* Close a handle (NULL is a no-op returning 0).  Cancels its notification,
 * and waits for its callback if one is running; a registration that callback
 * makes meanwhile returns 0 and registers nothing (the close cancels it). */
PMQ_API int pmq_close(pmq_queue *q);
/* Remove a name; the queue lives on until its last descriptor is closed. */
PMQ_API int pmq_unlink(const char *name);

/* Send len bytes (len <= message_size; msg may be NULL when len is 0) at a
 * priority 0 .. prio_max-1. */
PMQ_API int pmq_send(pmq_queue *q, const void *msg, size_t len, unsigned priority);
PMQ_API int pmq_send_timed(pmq_queue *q, const void *msg, size_t len, unsigned priority,
                           int timeout_ms);
/* Receive the oldest message of the highest priority into buf; cap must be at
 * least the queue's message_size.  Returns the message length (>= 0) and
 * stores its priority in *priority unless priority is NULL. */
PMQ_API int pmq_recv(pmq_queue *q, void *buf, size_t cap, unsigned *priority);
PMQ_API int pmq_recv_timed(pmq_queue *q, void *buf, size_t cap, unsigned *priority,
                           int timeout_ms);

PMQ_API int pmq_getattr(pmq_queue *q, pmq_attr *out);
/* on != 0: make this handle non-blocking; 0: blocking.  The handle keeps
 * the mode it was opened, adopted or last set with: set it with this call,
 * not with mq_setattr() on pmq_fd(), and after fork() in each process that
 * uses its copy of the handle (both copies share the kernel's flag). */
PMQ_API int pmq_set_nonblocking(pmq_queue *q, int on);
/* A descriptor for poll/epoll/select (readable: a message is waiting;
 * writable: there is room), still owned by the handle; or PMQ_ENOTSUP. */
PMQ_API int pmq_fd(pmq_queue *q);
/* The name the handle was opened with; NULL for a NULL handle. */
PMQ_API const char *pmq_name(pmq_queue *q);

/* Notification, as mq_notify: one-shot, one registered process per queue
 * (else PMQ_EBUSY), fires when the queue goes from empty to non-empty and no
 * receiver is blocked inside the kernel's mq_receive.  Of libpmq's calls only
 * an endless receive in its first 4 ms of waiting is (see above); after that,
 * timed receives and pmq_wait wait in poll() and do not hold notification
 * back: the callback fires although such a receive waits, and both may then
 * race for the message.  The kernel cancels the registration when this
 * process closes any descriptor of the queue: name-based calls made before
 * the registration never do (it closes their kept descriptors of the queue
 * first); one made on the queue while the handle is registered does, when it
 * returns, as its close would.
 * Callbacks run one at a time, with every signal blocked, on a thread libpmq
 * owns (started at the first callback registration, with one descriptor, and
 * kept until exit; the library then stays loaded); a callback may register
 * again, close its handle, or call pmq_interrupt from inside.  Running out of
 * descriptors or threads fails that registration only (PMQ_ELIMIT /
 * PMQ_ENOMEM); a later one tries again.  fn NULL / signo 0 cancels. */
typedef void (*pmq_notify_fn)(pmq_queue *q, void *ctx);
PMQ_API int pmq_notify(pmq_queue *q, pmq_notify_fn fn, void *ctx);
PMQ_API int pmq_notify_signal(pmq_queue *q, int signo);

/* Name-based calls: each behaves as if the queue were opened, used and closed
 * on every call.  The only flag allowed is PMQ_NONBLOCK. */
PMQ_API int pmq_send_to(const char *name, const void *msg, size_t len, unsigned priority,
                        unsigned flags);
PMQ_API int pmq_recv_from(const char *name, void *buf, size_t cap, unsigned *priority,
                          unsigned flags);
/* Attributes of the named queue (flags is 0). */
PMQ_API int pmq_info(const char *name, pmq_attr *out);

PMQ_API int pmq_get_limits(pmq_limits *out);

/* ---- Added in 1.1 (version node PMQ_1.1) ---------------------------------- */

/* Wait until the queue has a message (events PMQ_READ) and/or room
 * (PMQ_WRITE), taking and sending nothing.  Returns the ready subset of
 * events (> 0); or PMQ_ETIMEDOUT, PMQ_EAGAIN (timeout_ms 0, or a
 * non-blocking handle, and nothing ready), PMQ_EINTR, PMQ_ECANCELED.  An
 * event the handle was not opened for is PMQ_EBADF; other bits PMQ_EINVAL.
 * Another thread or process may take the message or the room before the
 * caller acts: follow with a call that does not wait, or a timed one. */
PMQ_API int pmq_wait(pmq_queue *q, unsigned events, int timeout_ms);

/* Every call blocked on this handle (pmq_send, pmq_recv, pmq_wait, timed or
 * not) returns PMQ_ECANCELED within 4 ms (see the conventions above), even
 * if pmq_resume follows at once, and every later call on it that would wait
 * returns PMQ_ECANCELED at once, until pmq_resume.  Calls that need not wait
 * (a ready queue, a non-blocking handle, timeout_ms 0) behave as before.
 * Any thread may call it, a notification callback included, any number of
 * times; not a signal handler (it takes a lock).  It does not touch the queue, other handles of
 * it, or the name-based calls. */
PMQ_API int pmq_interrupt(pmq_queue *q);
/* Ends pmq_interrupt: calls that start afterwards wait again. */
PMQ_API int pmq_resume(pmq_queue *q);

/* Own a message-queue descriptor opened elsewhere: inherited across exec, or
 * passed by systemd for ListenMessageQueue= (see pmq_adopt(3)).  Checks that
 * fd is an open message-queue descriptor (else PMQ_EINVAL, explained) and
 * takes the directions from its access mode (O_RDONLY, O_WRONLY, O_RDWR).
 * On success the handle owns fd: pmq_fd returns it, pmq_close closes it, and
 * it is made close-on-exec, as every descriptor libpmq owns; clear that
 * flag on pmq_fd() to pass it on to another program.  On failure fd is left
 * open and untouched.  name (NULL: "") is a label, not checked against the
 * name rules: what pmq_name returns and explanations cite.  Adopting one
 * descriptor twice is the caller's bug (both handles would close it). */
PMQ_API int pmq_adopt(int fd, const char *name, pmq_queue **out);

/* Create a new queue named prefix + 16 random characters ([0-9a-v], from
 * getrandom), exclusively, retrying with another suffix on a collision: for
 * private reply queues.  pmq_name gives the name to tell the other side;
 * unlink it when done.  prefix is '/' followed by 0 .. name_max-16
 * characters, none of them '/' (else PMQ_ENAME).  The other arguments are
 * pmq_create's; PMQ_EXCL is implied. */
PMQ_API int pmq_create_unique(const char *prefix, unsigned flags, unsigned mode,
                              int64_t max_messages, int64_t message_size, pmq_queue **out);

PMQ_API const char *pmq_strerror(int code);  /* static text, never NULL */
PMQ_API const char *pmq_err_name(int code);  /* "PMQ_EAGAIN" ...; never NULL */
PMQ_API const char *pmq_last_error(void);    /* this thread's last failure; "" if none */
PMQ_API unsigned    pmq_version_number(void); /* MAJOR*10000 + MINOR*100 + PATCH */
PMQ_API const char *pmq_version_string(void); /* "MAJOR.MINOR.PATCH" */

#ifdef __cplusplus
}
#endif

#endif /* PMQ_PMQ_H */
