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


def _hot(name, argtypes):
    """A second function object for a hot call (lib[name] makes a new one, so
    pmq._native's declarations stay as pmq.h says), taking the handle and
    buffers as addresses: ctypes converts an int for c_void_p quickest."""
    function = lib[name]
    function.argtypes = argtypes
    function.restype = ctypes.c_int
    return function


_address, _bytes, _size_t, _uint, _int = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                          ctypes.c_uint, ctypes.c_int)
_send = _hot("pmq_send", [_address, _bytes, _size_t, _uint])
_send_timed = _hot("pmq_send_timed", [_address, _bytes, _size_t, _uint, _int])
_recv = _hot("pmq_recv", [_address, _address, _size_t, _address])
_recv_timed = _hot("pmq_recv_timed", [_address, _address, _size_t, _address, _int])
_close = lib.pmq_close
_last_error = lib.pmq_last_error


def _explained():
    """pmq_last_error(): read in the failed call's thread, right after it."""
    return _last_error().decode("utf-8", "replace")


class _Buffer:
    """A receive buffer and its priority slot, reused by one receive at a time."""

    __slots__ = ("array", "address", "view", "priority", "priority_address")

    def __init__(self, size):
        storage = bytearray(max(size, 1))
        self.array = (ctypes.c_char * len(storage)).from_buffer(storage)
        self.address = ctypes.addressof(self.array)
        self.view = memoryview(storage)
        self.priority = ctypes.c_uint()
        self.priority_address = ctypes.addressof(self.priority)


class Core:
    """The handle of a pmq.Queue and its hot calls, through ctypes."""

    _pointer = None

    def _attach(self, address, message_size):
        self._pointer = ctypes.cast(ctypes.c_void_p(address), _native.queue_p)
        self._address = address
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

    # The hot calls: closures and rare cases live in the helpers below, so
    # that the common case runs no more bytecode than it must.

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
        if priority.__class__ is not int or priority < 0 or priority > UINT_MAX:
            priority = priority_of(priority)
        if timeout is not None:
            return self._send_timed(data, priority, timeout)
        users = self._users
        users.append(None)
        try:
            if self._closing:
                closed(self)
            result = _send(self._address, data, len(data), priority)
            if result < 0:
                _send_failed(result, self._address, data, priority)
        finally:
            users.pop()
            if self._closing and not users:
                self._release()

    def receive(self, timeout=None):
        """Takes the oldest message of the highest priority: a Message
        (data, priority).

        timeout: as for send(), waiting for a message instead of for room."""
        if timeout is not None:
            return self._receive_timed(timeout)
        users = self._users
        users.append(None)
        try:
            if self._closing:
                closed(self)
            spare = self._spare
            buffer = spare.pop() if spare else _Buffer(self._message_size)
            try:
                length = _recv(self._address, buffer.address, self._message_size,
                               buffer.priority_address)
                if length < 0:
                    length = _receive_failed(length, self._address, buffer,
                                             self._message_size)
                return _new_tuple(_Message, (buffer.view[:length].tobytes(),
                                             buffer.priority.value))
            finally:
                spare.append(buffer)
        finally:
            users.pop()
            if self._closing and not users:
                self._release()

    def _send_timed(self, data, priority, asked):
        timeout = seconds(asked)
        handle = self._address
        self._enter()
        try:
            result = call_timed(lambda timeout_ms: _send_timed(
                handle, data, len(data), priority, timeout_ms), timeout)
            if result < 0:
                fail(result, _explained(), asked)
        finally:
            self._leave()

    def _receive_timed(self, asked):
        timeout = seconds(asked)
        self._enter()
        try:
            handle, size = self._address, self._message_size
            buffer = self._spare.pop() if self._spare else _Buffer(size)
            try:
                length = call_timed(lambda timeout_ms: _recv_timed(
                    handle, buffer.address, size, buffer.priority_address, timeout_ms), timeout)
                if length < 0:
                    fail(length, _explained(), asked)
                return _new_tuple(_Message, (buffer.view[:length].tobytes(),
                                             buffer.priority.value))
            finally:
                self._spare.append(buffer)
        finally:
            self._leave()


def _send_failed(result, handle, data, priority):
    """After an untimed send failed: retries it while signal handlers let it
    (PEP 475), then raises what it failed with."""
    if result == _EINTR:
        result = call(lambda: _send(handle, data, len(data), priority))
    if result < 0:
        fail(result, _explained(), None)


def _receive_failed(length, handle, buffer, size):
    """As _send_failed, for a receive; returns the length once one succeeds."""
    if length == _EINTR:
        length = call(lambda: _recv(handle, buffer.address, size, buffer.priority_address))
    if length < 0:
        fail(length, _explained(), None)
    return length


def configure(message):
    """Receives return `message` (pmq.Message), made without its Python __new__."""
    global _Message
    _Message = message


_new_tuple = tuple.__new__
_Message = tuple
