"""pmq.Queue: a handle on one POSIX message queue, and pmq.unlink()."""

import collections
import ctypes
import operator
import os
import threading
import warnings

from . import _native
from ._native import lib
from ._waiting import call, call_timed, seconds
from .errors import Code, Error, InvalidArgument, InvalidName, check

#: What Queue.attributes returns.
Attributes = collections.namedtuple(
    "Attributes", "max_messages message_size current_messages nonblocking")

#: What Queue.receive() returns: unpack it as ``data, priority = q.receive()``.
Message = collections.namedtuple("Message", "data priority")

_UINT_MAX = 2**32 - 1
_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1


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


def _integer(what, value, low, high, hint):
    """`value` as an int in low..high; ctypes would silently wrap it otherwise."""
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (what, type(value).__name__)) from None
    if not low <= value <= high:
        raise InvalidArgument(Code.EINVAL, "%s %d is out of range; %s" % (what, value, hint))
    return value


def _size(what, value):
    return _integer(what, value, _INT64_MIN, _INT64_MAX,
                    "0 means the system default (see pmq.limits())")


def _payload(data):
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        raise TypeError("a message is bytes, not str; encode it first, e.g. "
                        "text.encode('utf-8')")
    try:
        return memoryview(data).tobytes()
    except TypeError:
        raise TypeError("a message is bytes, bytearray or memoryview, not %s"
                        % type(data).__name__) from None


def _direction(operation, name, read, write):
    if not (read or write):
        raise InvalidArgument(Code.EINVAL, "%s(%r): read and write are both False; open the "
                              "queue for reading, writing or both" % (operation, name))
    return (_native.PMQ_READ if read else 0) | (_native.PMQ_WRITE if write else 0)


def unlink(name):
    """Removes the queue's name; handles already open keep working until closed."""
    check(lib.pmq_unlink(_encode_name(name)))


class Queue:
    """An open POSIX message queue.

    Get one from Queue.create() or Queue.open(); close it with close() or a
    ``with`` block (garbage collection closes it too, with a ResourceWarning,
    as for files).  Every method may be called from several threads at once.
    Closing a queue another thread is blocked on takes effect when that call
    returns.
    """

    # Kept on the class so that __del__ still finds it while the interpreter
    # shuts down.
    _pmq_close = lib.pmq_close
    _handle = None

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
        mode = _integer("mode", mode, 0, _UINT_MAX, "it holds permission bits such as 0o600")
        max_messages = _size("max_messages", max_messages)
        message_size = _size("message_size", message_size)
        handle = _native.queue_p()
        check(lib.pmq_create(raw, flags, mode, max_messages, message_size,
                             ctypes.byref(handle)))
        return cls._adopt(handle, raw)

    @classmethod
    def open(cls, name, *, read=True, write=True, nonblocking=False):
        """Opens an existing queue (pmq.NotFound if there is none)."""
        raw = _encode_name(name)
        flags = _direction("Queue.open", name, read, write)
        flags |= (_native.PMQ_NONBLOCK if nonblocking else 0)
        handle = _native.queue_p()
        check(lib.pmq_open(raw, flags, ctypes.byref(handle)))
        return cls._adopt(handle, raw)

    @classmethod
    def _adopt(cls, handle, raw_name):
        self = object.__new__(cls)
        self._name = os.fsdecode(raw_name)
        self._lock = threading.Lock()
        self._calls = 0          # calls using the handle right now
        self._closing = False
        self._handle = handle
        try:
            # Fixed for the queue's life; receive() needs a buffer this large.
            self._message_size = self._attr().message_size
        except BaseException:
            self.close()
            raise
        return self

    # -- keeping the handle alive while calls use it -------------------------

    def _enter(self):
        with self._lock:
            if self._handle is None or self._closing:
                raise Error(Code.EBADF, "queue %r is closed; open it again with "
                            "pmq.Queue.open()" % self._name)
            self._calls += 1
            return self._handle

    def _leave(self):
        with self._lock:
            self._calls -= 1
            if not (self._closing and self._calls == 0):
                return
            handle, self._handle = self._handle, None
        check(self._pmq_close(handle))

    def close(self):
        """Closes the handle (again: no-op).  The queue itself lives on until
        it is unlinked."""
        with self._lock:
            if self._handle is None or self._closing:
                return
            self._closing = True
            if self._calls:
                return  # the last call still using the handle closes it
            handle, self._handle = self._handle, None
        check(self._pmq_close(handle))

    def __del__(self):
        if self._handle is not None and not self._closing:
            warnings.warn("unclosed %r" % (self,), ResourceWarning, source=self)
            self._closing = True
            self._pmq_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- messages -------------------------------------------------------------

    def send(self, data, priority=0, timeout=None):
        """Sends bytes (or a bytearray / memoryview) of at most message_size.

        priority: 0 .. pmq.limits().prio_max-1, higher received first.
        timeout: None waits for room as the handle does (a non-blocking
        handle raises pmq.WouldBlock), 0 never waits (WouldBlock), > 0 waits
        at most that many seconds (then pmq.Timeout)."""
        payload = _payload(data)
        priority = _integer("priority", priority, 0, _UINT_MAX,
                            "priorities are 0 .. pmq.limits().prio_max - 1")
        if timeout is not None:
            timeout = seconds(timeout)
        handle = self._enter()
        try:
            if timeout is None:
                result = call(lambda: lib.pmq_send(handle, payload, len(payload), priority))
            else:
                result = call_timed(lambda timeout_ms: lib.pmq_send_timed(
                    handle, payload, len(payload), priority, timeout_ms), timeout)
            check(result)
        finally:
            self._leave()

    def receive(self, timeout=None):
        """Takes the oldest message of the highest priority: (data, priority).

        timeout: as for send(), waiting for a message instead of for room."""
        if timeout is not None:
            timeout = seconds(timeout)
        handle = self._enter()
        try:
            # A buffer per call: threads may receive on one queue at once.
            size = self._message_size
            buffer = ctypes.create_string_buffer(size)
            priority = ctypes.c_uint()
            if timeout is None:
                length = call(lambda: lib.pmq_recv(handle, buffer, size,
                                                   ctypes.byref(priority)))
            else:
                length = call_timed(lambda timeout_ms: lib.pmq_recv_timed(
                    handle, buffer, size, ctypes.byref(priority), timeout_ms), timeout)
            check(length)
            return Message(ctypes.string_at(buffer, length), priority.value)
        finally:
            self._leave()

    # -- state ----------------------------------------------------------------

    def _attr(self):
        handle = self._enter()
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
        handle = self._enter()
        try:
            check(lib.pmq_set_nonblocking(handle, 1 if on else 0))
        finally:
            self._leave()

    @property
    def name(self):
        """The name the queue was opened with, e.g. '/jobs'."""
        return self._name

    @property
    def closed(self):
        return self._handle is None or self._closing

    def fileno(self):
        """The descriptor to watch with selectors, select or asyncio (readable:
        a message is waiting; writable: there is room).  It stays owned by
        the queue: do not close it."""
        handle = self._enter()
        try:
            return check(lib.pmq_fd(handle))
        finally:
            self._leave()

    def __repr__(self):
        return "<pmq.Queue %r%s>" % (self._name, " closed" if self.closed else "")
