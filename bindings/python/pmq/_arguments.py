"""Validation shared by both paths (pmq._speedups and pmq._core_ctypes): the
C path calls these for anything but the common case, so that both raise the
same exceptions with the same messages."""

import operator

from .errors import Code, Error, InvalidArgument

UINT_MAX = 2**32 - 1
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


def integer(what, value, low, high, hint):
    """`value` as an int in low..high; ctypes would silently wrap it otherwise."""
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (what, type(value).__name__)) from None
    if not low <= value <= high:
        raise InvalidArgument(Code.EINVAL, "%s %d is out of range; %s" % (what, value, hint))
    return value


def priority_of(value):
    return integer("priority", value, 0, UINT_MAX,
                   "priorities are 0 .. pmq.limits().prio_max - 1")


def payload(data):
    """A message as bytes: from bytes, bytearray, memoryview or another buffer."""
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


def closed(queue):
    """Raises the error for a call on a closed queue."""
    raise Error(Code.EBADF, "queue %r is closed; open it again with pmq.Queue.open()"
                % queue.name)
