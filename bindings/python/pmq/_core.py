"""Which Core pmq.Queue is built on: the C extension pmq._speedups when it
imports, else the ctypes one (another interpreter, no compiler, or the
environment variable PMQ_PURE_PYTHON=1)."""

import importlib
import os

from . import _arguments, _core_ctypes, _waiting

PURE_PYTHON_VARIABLE = "PMQ_PURE_PYTHON"


def _speedups():
    if os.environ.get(PURE_PYTHON_VARIABLE) == "1":
        return None, "%s=1" % PURE_PYTHON_VARIABLE
    try:
        # libpmq.so.1 is already loaded (pmq._native): the extension's
        # dependency on that soname resolves to it, so both paths share one
        # copy of the library, the one PMQ_LIBRARY may have named.
        _speedups = importlib.import_module(__package__ + "._speedups")
    except ImportError as error:  # "No module named 'pmq._speedups'", or why it failed
        return None, str(error)
    return _speedups, None


_module, why_not = _speedups()

#: "c" when pmq._speedups is in use, "ctypes" otherwise.
implementation = "ctypes" if _module is None else "c"
#: Why the C extension is not in use ("" when it is).
fallback_reason = why_not or ""


def configure(message):
    """Hands pmq.Message and the shared helpers to the Core in use."""
    _core_ctypes.configure(message)
    if _module is not None:
        _module.configure(message=message, payload=_arguments.payload,
                          priority=_arguments.priority_of, seconds=_waiting.seconds,
                          fail=_waiting.fail, closed=_arguments.closed)


Core = _core_ctypes.Core if _module is None else _module.Core
