"""What this platform and the loaded libpmq offer: support, version, limits."""

import collections
import ctypes

from ._native import lib, pmq_limits
from .errors import check

#: What limits() returns; each field is -1 where the platform does not say,
#: and rlimit_msgqueue is -1 when unlimited.
Limits = collections.namedtuple("Limits", [field for field, _ in pmq_limits._fields_])


def supported():
    """True if this platform has POSIX message queues (else every call
    raises pmq.Error with code ENOTSUP)."""
    return lib.pmq_supported() == 1


def version():
    """The loaded libpmq's version, "MAJOR.MINOR.PATCH"."""
    return lib.pmq_version_string().decode("ascii")


def limits():
    """The system limits on queues for this process, as a Limits tuple:
    prio_max, name_max, msg_max, msgsize_max, msg_default, msgsize_default,
    queues_max, rlimit_msgqueue."""
    out = pmq_limits()
    check(lib.pmq_get_limits(ctypes.byref(out)))
    return Limits(*(getattr(out, field) for field in Limits._fields))
