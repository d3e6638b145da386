"""POSIX message queues for Python, over libpmq.

    import pmq

    with pmq.Queue.create("/jobs", max_messages=10, message_size=1024) as q:
        q.send(b"hello", priority=1)
        data, priority = q.receive(timeout=1.0)
    pmq.unlink("/jobs")

The library is loaded from the file named by the environment variable
PMQ_LIBRARY, else as "libpmq.so.1" through the system's loader.  Sends and
receives run in the C extension pmq._speedups when it imports, else through
ctypes (PMQ_PURE_PYTHON=1 asks for that): pmq.implementation says which.
"""

from ._core import fallback_reason, implementation
from .errors import (Busy, Canceled, Code, Error, Exists, InvalidArgument, InvalidName, LimitExceeded,
                     MessageTooLarge, NotFound, PermissionDenied, Timeout, WouldBlock,
                     WrongDirection)
from .queue import Attributes, Message, Queue, Ready, unlink
from .system import Limits, limits, supported, version

__all__ = [
    "Attributes", "Busy", "Canceled", "Code", "Error", "Exists", "InvalidArgument", "InvalidName",
    "Limits", "LimitExceeded", "Message", "MessageTooLarge", "NotFound", "PermissionDenied",
    "Queue", "Ready", "Timeout", "WouldBlock", "WrongDirection", "fallback_reason", "implementation",
    "limits", "supported", "unlink", "version",
]
