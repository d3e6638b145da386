"""The exceptions pmq raises, one class per kind of failure a caller handles.

Every one is a ``pmq.Error``, itself an ``OSError``: ``.code`` is the PMQ_E*
value, ``.name`` its name ("PMQ_EMSGSIZE"), ``.errno`` the closest errno (or
None), and ``str(error)`` the explanation libpmq gave (pmq_last_error()).
The classes also derive from the built-in exception a Python programmer
already catches for that case (FileNotFoundError, BlockingIOError, ...).
"""

import enum
import errno as _errno

from ._native import lib


class Code(enum.IntEnum):
    """The PMQ_E* error codes of pmq.h; their values are fixed forever."""

    OK = 0
    EINVAL = -1
    ENAME = -2
    ENOENT = -3
    EEXIST = -4
    EACCES = -5
    EAGAIN = -6
    ETIMEDOUT = -7
    EINTR = -8
    EMSGSIZE = -9
    EBADF = -10
    ELIMIT = -11
    EBUSY = -12
    ENOMEM = -13
    ENOTSUP = -14
    ESYS = -15
    ECANCELED = -16


# The errno a Python programmer would expect for each code, when one fits.
_ERRNO = {
    Code.EINVAL: _errno.EINVAL,
    Code.ENAME: _errno.EINVAL,
    Code.ENOENT: _errno.ENOENT,
    Code.EEXIST: _errno.EEXIST,
    Code.EACCES: _errno.EACCES,
    Code.EAGAIN: _errno.EAGAIN,
    Code.ETIMEDOUT: _errno.ETIMEDOUT,
    Code.EINTR: _errno.EINTR,
    Code.EMSGSIZE: _errno.EMSGSIZE,
    Code.EBADF: _errno.EBADF,
    Code.EBUSY: _errno.EBUSY,
    Code.ENOMEM: _errno.ENOMEM,
    Code.ENOTSUP: _errno.ENOTSUP,
}


def _as_code(value):
    try:
        return Code(value)
    except ValueError:  # a code newer than this package: keep the number
        return int(value)


class Error(OSError):
    """A libpmq call failed; ``str(error)`` says why and what to do."""

    def __init__(self, code, message):
        code = _as_code(code)
        # args stay (code, message), so repr() and pickling show the PMQ code.
        super().__init__(int(code), message)
        self.errno = _ERRNO.get(code)
        self.code = code
        self.name = lib.pmq_err_name(int(code)).decode("ascii", "replace")

    def __str__(self):
        return self.strerror


class NotFound(Error, FileNotFoundError):
    """PMQ_ENOENT: no queue has that name."""


class Exists(Error, FileExistsError):
    """PMQ_EEXIST: an exclusive create found the queue already there."""


class PermissionDenied(Error, PermissionError):
    """PMQ_EACCES: the queue's mode does not let this user open it so."""


class WouldBlock(Error, BlockingIOError):
    """PMQ_EAGAIN: the queue is full (send) or empty (receive) and the call
    was not allowed to wait."""


class Timeout(Error, TimeoutError):
    """PMQ_ETIMEDOUT: the queue stayed full or empty for the whole timeout."""


class WrongDirection(Error, PermissionError):
    """PMQ_EBADF: the handle was not opened for this direction (a send on a
    queue opened with write=False, a receive on one opened with read=False)."""


class Busy(Error):
    """PMQ_EBUSY: another process (or handle) already holds the queue's
    notification; it must cancel it first."""


class Canceled(Error):
    """PMQ_ECANCELED: Queue.interrupt() stopped the call, or the handle is
    interrupted and the call would have waited (until Queue.resume())."""


class LimitExceeded(Error):
    """PMQ_ELIMIT: a system limit (fs.mqueue.*, RLIMIT_MSGQUEUE, open files)
    refused the request; the message names the limit and how to raise it."""


class MessageTooLarge(Error):
    """PMQ_EMSGSIZE: the message is longer than the queue's message_size."""


class InvalidName(Error, ValueError):
    """PMQ_ENAME: a queue name must be "/" and 1..name_max characters with no
    other "/" and no NUL."""


class InvalidArgument(Error, ValueError):
    """PMQ_EINVAL: an argument is out of range (priority, sizes, flags...)."""


_CLASSES = {
    Code.EINVAL: InvalidArgument,
    Code.ENAME: InvalidName,
    Code.ENOENT: NotFound,
    Code.EEXIST: Exists,
    Code.EACCES: PermissionDenied,
    Code.EAGAIN: WouldBlock,
    Code.ETIMEDOUT: Timeout,
    Code.EMSGSIZE: MessageTooLarge,
    Code.ELIMIT: LimitExceeded,
    Code.EBADF: WrongDirection,
    Code.EBUSY: Busy,
    Code.ECANCELED: Canceled,
}


def error_for(code, message):
    """The exception for a PMQ_E* code: its own class, or plain Error."""
    code = _as_code(code)
    return _CLASSES.get(code, Error)(code, message)


def last_error(code):
    """The exception for a call that just returned `code`, explained by
    pmq_last_error(), which must be read in the same thread right after it."""
    message = lib.pmq_last_error().decode("utf-8", "replace")
    if not message:
        message = lib.pmq_strerror(int(code)).decode("utf-8", "replace")
    return error_for(code, message)


def check(result):
    """Returns a call's non-negative result, or raises what its code means."""
    if result < 0:
        raise last_error(result)
    return result
