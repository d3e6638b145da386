"""Calls that may wait: timeouts in seconds, and retrying after signals.

libpmq returns PMQ_EINTR when a signal handler interrupts a wait and leaves
retrying to the caller.  Python's own I/O (PEP 475) runs the Python signal
handlers and then retries, so that a handler that raises stops the call and a
handler that does not is invisible.  These helpers do the same, and a timed
call is retried with the time that is left, so the whole call never waits
longer than asked.
"""

import ctypes
import math
import re
import time

from ._native import TIMEOUT_MS_MAX
from .errors import Code, InvalidArgument, error_for

try:
    # pythonapi is a PyDLL: if a handler raised, ctypes raises it here.
    _check_signals = ctypes.pythonapi.PyErr_CheckSignals
    _check_signals.argtypes = []
    _check_signals.restype = ctypes.c_int
except AttributeError:  # not CPython: handlers run at the next bytecode
    def _check_signals():
        return 0


def run_signal_handlers():
    """Runs the Python handlers of signals that arrived (main thread only);
    raises what a handler raised."""
    _check_signals()


def seconds(timeout):
    """Validates a timeout in seconds: a number >= 0 (math.inf waits forever)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError("timeout must be None or a number of seconds, not %s"
                        % type(timeout).__name__)
    if math.isnan(timeout) or timeout < 0:
        raise InvalidArgument(Code.EINVAL, "timeout must be None (wait as the handle does) "
                              "or >= 0 seconds (0: do not wait), not %r" % (timeout,))
    return timeout


def _milliseconds(seconds_left, at_least):
    if seconds_left * 1000 >= TIMEOUT_MS_MAX:
        return TIMEOUT_MS_MAX
    # Round up: a wait must not end before the time asked for.
    return max(at_least, math.ceil(seconds_left * 1000))


def call(function):
    """Calls function() until it is not interrupted; returns its result."""
    while True:
        result = function()
        if result != Code.EINTR:
            return result
        run_signal_handlers()


def call_timed(function, timeout):
    """Calls function(timeout_ms) until it is neither interrupted nor cut
    short by the C int limit on timeout_ms, within `timeout` seconds of
    time.monotonic(); returns its result."""
    deadline = time.monotonic() + timeout
    # A retry after a positive timeout ran out waits at least 1 ms, so that it
    # ends in PMQ_ETIMEDOUT (with its explanation), not in PMQ_EAGAIN.
    at_least = 1 if timeout > 0 else 0
    timeout_ms = _milliseconds(timeout, 0)
    while True:
        result = function(timeout_ms)
        if result == Code.EINTR:
            run_signal_handlers()
        elif not (result == Code.ETIMEDOUT and timeout_ms == TIMEOUT_MS_MAX):
            return result
        timeout_ms = _milliseconds(deadline - time.monotonic(), at_least)


# libpmq's explanation of a timeout names the timeout_ms of the last call, which
# after an interrupted wait is only the time that was left.
_WHOLE_TIMEOUT = re.compile(r"for the whole \d+ ms")


def fail(code, message, timeout):
    """Raises the exception for a failed call's code and libpmq's explanation;
    a timeout is explained with the `timeout` (seconds) the caller asked for."""
    if code == Code.ETIMEDOUT and timeout is not None:
        message = _WHOLE_TIMEOUT.sub("for the whole timeout of %g s" % timeout, message)
    raise error_for(code, message)
