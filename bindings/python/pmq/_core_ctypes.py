"""Core: the handle of a pmq.Queue and its hot calls, through ctypes.

The fallback for pmq._speedups.Core (same methods, same results, same
exceptions): used on an interpreter the extension was not built for, where
no compiler built it, or with PMQ_PURE_PYTHON=1.

The common, valid case takes the shortest way to the C call; anything else
goes through the validators in pmq._arguments, which raise what the C path
raises.  The count of calls using the handle is a list that calls append to
and pop from: both are atomic under the GIL, so no lock is taken (a lock
could also be held across fork() by a thread the child does not have).
"""

import ctypes

from . import _native
from ._arguments import closed, payload, priority_of, UINT_MAX
from ._native import lib
from ._waiting import call, call_timed, fail, seconds

_EINTR = -8
_send = lib.pmq_send
_send_timed = lib.pmq_send_timed
_recv = lib.pmq_recv
_recv_timed = lib.pmq_recv_timed
_close = lib.pmq_close
_last_error = lib.pmq_last_error


def _explained():
    """pmq_last_error(): read in the failed call's thread, right after it."""
    return _last_error().decode("utf-8", "replace")


class _Buffer:
    """A receive buffer and its priority slot, reused by one receive at a time."""

    __slots__ = ("array", "view", "priority", "priority_pointer")

    def __init__(self, size):
        storage = bytearray(max(size, 1))
        self.array = (ctypes.c_char * len(storage)).from_buffer(storage)
        self.view = memoryview(storage)
        self.priority = ctypes.c_uint()
        self.priority_pointer = ctypes.pointer(self.priority)


class Core:
    """The handle of a pmq.Queue and its hot calls, through ctypes."""

    _pointer = None

    def _attach(self, address, message_size):
        self._pointer = ctypes.cast(ctypes.c_void_p(address), _native.queue_p)
        self._message_size = message_size
        self._users = []          # one entry per call using the handle right now
        self._closing = False
        self._owner = [self._pointer]  # popped by whoever closes: exactly once
        self._spare = []          # receive buffers not in use

    def _enter(self):
        users = self._users
        users.append(None)
        if self._closing:
            self._leave()
            closed(self)

    def _leave(self):
        users = self._users
        users.pop()
        if self._closing and not users:
            self._release()

    def _release(self):
        try:
            pointer = self._owner.pop()
        except IndexError:
            return  # another thread closed it
        result = _close(pointer)
        if result < 0:
            fail(result, _explained(), None)

    def _after_fork(self):
        # The calls counted were the parent's other threads', gone in the child.
        del self._users[:]

    @property
    def closed(self):
        return self._pointer is None or self._closing

    def close(self):
        """Closes the handle (again: no-op); a call still using it closes it
        when it returns."""
        if self._pointer is None or self._closing:
            return
        self._closing = True
        if not self._users:
            self._release()

    def send(self, data, priority=0, timeout=None):
        """Sends bytes (or a bytearray / memoryview) of at most message_size.
        
        priority: 0 .. pmq.limits().prio_max-1, higher received first.
        timeout: None waits for room as the handle does (a non-blocking
        handle raises pmq.WouldBlock), 0 never waits (WouldBlock), > 0 waits
        at most that many seconds (then pmq.Timeout).  A signal handler that
        raises ends the wait with its exception; one that does not lets the
        wait go on, for the time that is left."""
        if data.__class__ is not bytes:
            data = payload(data)
        if priority.__class__ is not int or not 0 <= priority <= UINT_MAX:
            priority = priority_of(priority)
        asked = timeout
        if timeout is not None:
            timeout = seconds(timeout)
        users = self._users
        users.append(None)
        try:
            if self._closing:
                closed(self)
            handle = self._pointer
            if timeout is None:
                result = _send(handle, data, len(data), priority)
                if result == _EINTR:
                    result = call(lambda: _send(handle, data, len(data), priority))
            else:
                result = call_timed(lambda timeout_ms: _send_timed(
                    handle, data, len(data), priority, timeout_ms), timeout)
            if result < 0:
                fail(result, _explained(), asked)
        finally:
            users.pop()
            if self._closing and not users:
                self._release()

    def receive(self, timeout=None):
        """Takes the oldest message of the highest priority: a Message
        (data, priority).
        
        timeout: as for send(), waiting for a message instead of for room."""
        asked = timeout
        if timeout is not None:
            timeout = seconds(timeout)
        users = self._users
        users.append(None)
        try:
            if self._closing:
                closed(self)
            handle = self._pointer
            size = self._message_size
            try:
                buffer = self._spare.pop()
            except IndexError:
                buffer = _Buffer(size)
            try:
                array, priority = buffer.array, buffer.priority_pointer
                if timeout is None:
                    length = _recv(handle, array, size, priority)
                    if length == _EINTR:
                        length = call(lambda: _recv(handle, array, size, priority))
                else:
                    length = call_timed(lambda timeout_ms: _recv_timed(
                        handle, array, size, priority, timeout_ms), timeout)
                if length < 0:
                    fail(length, _explained(), asked)
                return _new_tuple(_Message, (buffer.view[:length].tobytes(),
                                             buffer.priority.value))
            finally:
                self._spare.append(buffer)
        finally:
            users.pop()
            if self._closing and not users:
                self._release()


def configure(message):
    """Receives return `message` (pmq.Message), made without its Python __new__."""
    global _Message
    _Message = message


_new_tuple = tuple.__new__
_Message = tuple
