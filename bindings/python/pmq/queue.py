"""pmq.Queue: a handle on one POSIX message queue, and pmq.unlink()."""

import atexit
import collections
import ctypes
import itertools
import os
import warnings
import weakref

from . import _asyncio, _core, _native
from ._arguments import INT64_MAX, INT64_MIN, UINT_MAX, integer
from ._native import lib
from ._waiting import call, call_timed, fail, seconds
from .errors import Code, Error, InvalidArgument, InvalidName, check, last_error

#: What Queue.attributes returns.
Attributes = collections.namedtuple(
    "Attributes", "max_messages message_size current_messages nonblocking")

#: What Queue.wait() returns: which of the directions asked for are ready.
Ready = collections.namedtuple("Ready", "read write")

#: What Queue.receive() returns: unpack it as ``data, priority = q.receive()``.
Message = collections.namedtuple("Message", "data priority")
_core.configure(Message)


def _encode_name(name):
    if isinstance(name, str):
        raw = os.fsencode(name)
    elif isinstance(name, (bytes, bytearray)):
        raw = bytes(name)
    else:
        raise TypeError("a queue name is a str such as '/jobs', not %s" % type(name).__name__)
    # C would see the name end at the NUL, and act on another queue.
    if b"\0" in raw:
        raise InvalidName(Code.ENAME, "queue name %r contains a NUL character; a name is '/' "
                          "followed by 1..name_max characters, none of them '/' or NUL"
                          % (name,))
    return raw


def _size(what, value):
    return integer(what, value, INT64_MIN, INT64_MAX,
                   "0 means the system default (see pmq.limits())")


def _direction(operation, name, read, write):
    if not (read or write):
        raise InvalidArgument(Code.EINVAL, "%s(%r): read and write are both False; open the "
                              "queue for reading, writing or both" % (operation, name))
    return (_native.PMQ_READ if read else 0) | (_native.PMQ_WRITE if write else 0)


def unlink(name):
    """Removes the queue's name; handles already open keep working until closed."""
    check(lib.pmq_unlink(_encode_name(name)))


# Every open Queue, so that a child after fork() can forget the calls the
# parent's other threads were making (the child does not have those threads,
# and close() would otherwise wait for them forever).
_open_queues = weakref.WeakSet()


def _forget_parent_calls():
    for queue in list(_open_queues):
        queue._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_calls)

# Notifications registered and not yet delivered: token -> (queue, callback).
# libpmq gets the token, never a Python object, so a notification that fires
# after it was cancelled finds nothing here and calls nothing.
_notifications = {}
_tokens = itertools.count(1)
_NO_CALLBACK = _native.notify_fn()  # NULL: cancels


@_native.notify_fn
def _deliver(handle, token):
    # On libpmq's notification thread; ctypes holds the GIL while this runs,
    # and reports what the callback raises through sys.unraisablehook.
    entry = _notifications.pop(token, None)
    if entry is not None:
        queue, callback = entry
        callback(queue)


@atexit.register
def _cancel_notifications():
    # A notification thread must not call into an interpreter that is gone.
    for queue, _ in list(_notifications.values()):
        try:
            queue.notify(None)
        except Error:
            pass


class Queue(_core.Core):
    """An open POSIX message queue.

    Get one from Queue.create() or Queue.open(); close it with close() or a
    ``with`` block (garbage collection closes it too, with a ResourceWarning,
    as for files).  Every method may be called from several threads at once.
    Closing a queue another thread is blocked on takes effect when that call
    returns.

    send() and receive() run in C (pmq._speedups) when that extension
    imports, else through ctypes: pmq.implementation says which.
    """

    _pointer = None
    _notify_token = None
    _interrupted = False  # interrupt() called and not resume(): async calls do not wait

    def __init__(self, *args, **kwargs):
        raise TypeError("use pmq.Queue.create(name, ...) or pmq.Queue.open(name, ...)")

    @classmethod
    def create(cls, name, *, read=True, write=True, max_messages=0, message_size=0,
               mode=0o600, exclusive=False, nonblocking=False):
        """Creates the queue, or opens it if it exists and exclusive is False
        (it then keeps its own attributes and messages).  max_messages and
        message_size 0 mean the system defaults; mode 0 means 0o600."""
        raw = _encode_name(name)
        flags = _direction("Queue.create", name, read, write)
        flags |= (_native.PMQ_EXCL if exclusive else 0)
        flags |= (_native.PMQ_NONBLOCK if nonblocking else 0)
        mode = integer("mode", mode, 0, UINT_MAX, "it holds permission bits such as 0o600")
        max_messages = _size("max_messages", max_messages)
        message_size = _size("message_size", message_size)
        handle = _native.queue_p()
        check(lib.pmq_create(raw, flags, mode, max_messages, message_size,
                             ctypes.byref(handle)))
        return cls._wrap(handle, os.fsdecode(raw))

    @classmethod
    def open(cls, name, *, read=True, write=True, nonblocking=False):
        """Opens an existing queue (pmq.NotFound if there is none)."""
        raw = _encode_name(name)
        flags = _direction("Queue.open", name, read, write)
        flags |= (_native.PMQ_NONBLOCK if nonblocking else 0)
        handle = _native.queue_p()
        check(lib.pmq_open(raw, flags, ctypes.byref(handle)))
        return cls._wrap(handle, os.fsdecode(raw))

    @classmethod
    def create_unique(cls, prefix, *, read=True, write=True, max_messages=0, message_size=0,
                      mode=0o600, nonblocking=False):
        """Creates a new queue named `prefix` followed by 16 random characters,
        exclusively (trying another suffix if that name is taken): for a
        private reply queue.  The queue's name attribute is the name to tell
        the other side; unlink it when done.  `prefix` is '/' and up to
        name_max - 16 characters; the other arguments are create()'s."""
        raw = _encode_name(prefix)
        flags = _direction("Queue.create_unique", prefix, read, write)
        flags |= (_native.PMQ_NONBLOCK if nonblocking else 0)
        mode = integer("mode", mode, 0, UINT_MAX, "it holds permission bits such as 0o600")
        max_messages = _size("max_messages", max_messages)
        message_size = _size("message_size", message_size)
        handle = _native.queue_p()
        check(lib.pmq_create_unique(raw, flags, mode, max_messages, message_size,
                                    ctypes.byref(handle)))
        return cls._wrap(handle, os.fsdecode(lib.pmq_name(handle)))

    @classmethod
    def adopt(cls, fd, name=None):
        """Owns a message-queue descriptor opened elsewhere (inherited across
        exec, or passed by systemd's ListenMessageQueue=): the directions come
        from its access mode; close() closes it.  `name` is only a label for
        the name attribute and explanations ("" if None).  A descriptor that
        is not a message queue raises pmq.InvalidArgument and stays open."""
        fd = integer("fd", fd, 0, 2**31 - 1, "it is an open message-queue descriptor")
        raw = b"" if name is None else _encode_name(name)
        handle = _native.queue_p()
        check(lib.pmq_adopt(fd, raw if name is not None else None, ctypes.byref(handle)))
        return cls._wrap(handle, os.fsdecode(raw))

    @classmethod
    def _wrap(cls, handle, name):
        """A Queue owning `handle` (a ctypes pmq_queue pointer): closes it on failure."""
        self = cls.__new__(cls)
        self._name = name
        attr = _native.pmq_attr()
        result = lib.pmq_getattr(handle, ctypes.byref(attr))
        if result < 0:
            error = last_error(result)
            lib.pmq_close(handle)
            raise error
        # The size is fixed for the queue's life; receive() needs a buffer this large.
        self._attach(ctypes.cast(handle, ctypes.c_void_p).value, attr.message_size)
        self._pointer = handle
        _open_queues.add(self)
        return self

    def _handle(self):
        """Starts a call with the handle: pair it with _leave() in a finally."""
        self._enter()
        return self._pointer

    def close(self):
        """Closes the handle (again: no-op).  The queue itself lives on until
        it is unlinked; a notification registered through this handle ends."""
        _notifications.pop(self._notify_token, None)
        _asyncio.wake_all(self)  # before the descriptor goes: they meet the closed queue
        super().close()

    def __del__(self):
        if self._pointer is not None and not self.closed:
            warnings.warn("unclosed %r" % (self,), ResourceWarning, source=self)
            super().close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- state ----------------------------------------------------------------

    def _attr(self):
        handle = self._handle()
        try:
            attr = _native.pmq_attr()
            check(lib.pmq_getattr(handle, ctypes.byref(attr)))
            return attr
        finally:
            self._leave()

    @property
    def attributes(self):
        """The queue's Attributes now (current_messages changes as it is used)."""
        attr = self._attr()
        return Attributes(attr.max_messages, attr.message_size, attr.current_messages,
                          bool(attr.flags & _native.PMQ_NONBLOCK))

    @property
    def nonblocking(self):
        """Whether calls without a timeout raise pmq.WouldBlock instead of waiting."""
        return bool(self._attr().flags & _native.PMQ_NONBLOCK)

    @nonblocking.setter
    def nonblocking(self, on):
        handle = self._handle()
        try:
            check(lib.pmq_set_nonblocking(handle, 1 if on else 0))
        finally:
            self._leave()

    @property
    def name(self):
        """The name the queue was opened with, e.g. '/jobs'."""
        return self._name

    def fileno(self):
        """The descriptor to watch with selectors, select or asyncio (readable:
        a message is waiting; writable: there is room).  It stays owned by
        the queue: do not close it."""
        handle = self._handle()
        try:
            return check(lib.pmq_fd(handle))
        finally:
            self._leave()

    # -- libpmq 1.1: waiting without taking, stopping blocked calls -------------

    def wait(self, read=False, write=False, timeout=None):
        """Waits until the queue has a message (read=True) and/or room
        (write=True), taking and sending nothing; returns Ready(read, write),
        what is ready among what was asked.  Another thread or process may
        take it first: follow with a call that does not wait, or a timed one.

        timeout: as for receive() (pmq.Timeout, or pmq.WouldBlock for 0 or a
        non-blocking handle).  A direction the handle was not opened for
        raises pmq.WrongDirection."""
        if not (read or write):
            raise InvalidArgument(Code.EINVAL, "Queue.wait(%r): read and write are both "
                                  "False; ask for read=True, write=True or both" % self._name)
        events = (_native.PMQ_READ if read else 0) | (_native.PMQ_WRITE if write else 0)
        asked = timeout
        if timeout is not None:
            timeout = seconds(timeout)
        handle = self._handle()
        try:
            if timeout is None:
                result = call(lambda: lib.pmq_wait(handle, events, -1))
            else:
                result = call_timed(lambda timeout_ms: lib.pmq_wait(handle, events, timeout_ms),
                                    timeout)
            if result < 0:
                fail(result, lib.pmq_last_error().decode("utf-8", "replace"), asked)
            return Ready(bool(result & _native.PMQ_READ), bool(result & _native.PMQ_WRITE))
        finally:
            self._leave()

    def interrupt(self):
        """Stops every call blocked on this queue handle (send, receive, wait,
        from any thread) with pmq.Canceled, and makes every later call that
        would wait raise it at once, until resume().  Calls that need not wait
        behave as before.  Other handles of the queue are not affected."""
        handle = self._handle()
        try:
            check(lib.pmq_interrupt(handle))
            self._interrupted = True
        finally:
            self._leave()
        _asyncio.wake_all(self)  # coroutines wait on the loop, not in libpmq

    def resume(self):
        """Ends interrupt(): calls that start afterwards wait again."""
        handle = self._handle()
        try:
            check(lib.pmq_resume(handle))
            self._interrupted = False
        finally:
            self._leave()

    # -- notification ---------------------------------------------------------

    def notify(self, callback):
        """Asks for callback(queue) to be called, once, on a thread libpmq owns,
        when the queue goes from empty to non-empty (and no receive is already
        waiting), as mq_notify does; callback None cancels.

        The callback may call notify() again to ask for the next one.  What it
        raises goes to sys.unraisablehook; the process goes on.  The queue and
        the callback stay alive while the notification is registered.  One
        process per queue: pmq.Busy if another holds it."""
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable or None, not %s"
                            % type(callback).__name__)
        handle = self._handle()
        try:
            if callback is None:
                check(lib.pmq_notify(handle, _NO_CALLBACK, None))
                _notifications.pop(self._notify_token, None)
                return
            token = next(_tokens)
            _notifications[token] = (self, callback)  # before: it may fire at once
            result = lib.pmq_notify(handle, _deliver, token)
            if result < 0:
                error = last_error(result)
                del _notifications[token]
                raise error
            previous, self._notify_token = self._notify_token, token
            _notifications.pop(previous, None)
        finally:
            self._leave()

    def notify_signal(self, signum):
        """Asks for signal `signum` to be sent to this process, once, when the
        queue goes from empty to non-empty (as notify() for a callback);
        0 cancels.  It replaces a callback registered with notify()."""
        signum = integer("signum", signum, -2**31, 2**31 - 1,
                         "it is a signal number such as signal.SIGUSR1, or 0 to cancel")
        handle = self._handle()
        try:
            if signum != 0 and self._notify_token in _notifications:
                # libpmq refuses a signal while this handle's callback is
                # registered (PMQ_EBUSY): the callback is cancelled first.
                check(lib.pmq_notify(handle, _NO_CALLBACK, None))
                _notifications.pop(self._notify_token, None)
            check(lib.pmq_notify_signal(handle, signum))
            _notifications.pop(self._notify_token, None)
        finally:
            self._leave()

    # -- asyncio ----------------------------------------------------------------

    async def receive_async(self, timeout=None):
        """Takes a message as receive() does, waiting on the running asyncio
        loop (loop.add_reader on fileno(), no thread) instead of blocking.

        timeout: None waits as long as it takes, else at most that many
        seconds (then pmq.Timeout).  Cancelling it (task.cancel(),
        asyncio.timeout()) loses no message: one is taken only when it is
        returned."""
        return await _asyncio.receive(self, timeout)

    async def send_async(self, data, priority=0, timeout=None):
        """Sends as send() does, waiting for room on the running asyncio loop
        (loop.add_writer on fileno(), no thread) instead of blocking.

        timeout: None waits as long as it takes, else at most that many
        seconds (then pmq.Timeout).  Cancelled, it has sent nothing."""
        await _asyncio.send(self, data, priority, timeout)

    def __repr__(self):
        return "<pmq.Queue %r%s>" % (self._name, " closed" if self.closed else "")
