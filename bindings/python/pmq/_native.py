"""Loads libpmq.so.1 and declares the C prototype of every pmq_* function.

Everything else in the package calls the library through ``lib`` below, whose
functions all have argtypes and restype set: ctypes then converts and checks
arguments instead of guessing (a guessed ``int`` return would truncate the
pointers pmq_name() and friends return).

The library is opened with ctypes.CDLL, which releases the GIL for the time of
each call, so a thread blocked in pmq_recv() does not stop the other threads.
"""

import ctypes
import os

#: Environment variable naming the library file to load instead of the
#: loader's "libpmq.so.1" (for a build tree, or a copy outside the loader path).
LIBRARY_VARIABLE = "PMQ_LIBRARY"
DEFAULT_LIBRARY = "libpmq.so.1"


class pmq_attr(ctypes.Structure):
    _fields_ = [
        ("max_messages", ctypes.c_int64),
        ("message_size", ctypes.c_int64),
        ("current_messages", ctypes.c_int64),
        ("flags", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
    ]


class pmq_limits(ctypes.Structure):
    _fields_ = [
        ("prio_max", ctypes.c_int64),
        ("name_max", ctypes.c_int64),
        ("msg_max", ctypes.c_int64),
        ("msgsize_max", ctypes.c_int64),
        ("msg_default", ctypes.c_int64),
        ("msgsize_default", ctypes.c_int64),
        ("queues_max", ctypes.c_int64),
        ("rlimit_msgqueue", ctypes.c_int64),
    ]


class pmq_queue(ctypes.Structure):
    """The opaque handle: only ever used through a pointer."""


# Flags of pmq_create / pmq_open (pmq.h).
PMQ_READ = 0x01
PMQ_WRITE = 0x02
PMQ_EXCL = 0x04
PMQ_NONBLOCK = 0x08

# The largest timeout_ms the C API takes (a C int).
TIMEOUT_MS_MAX = 2**31 - 1

queue_p = ctypes.POINTER(pmq_queue)
notify_fn = ctypes.CFUNCTYPE(None, queue_p, ctypes.c_void_p)

_c_int = ctypes.c_int
_c_uint = ctypes.c_uint
_c_int64 = ctypes.c_int64
_c_size_t = ctypes.c_size_t
_c_void_p = ctypes.c_void_p
_c_char_p = ctypes.c_char_p

#: name: (restype, argtypes), in the order of pmq.h.
PROTOTYPES = {
    "pmq_supported": (_c_int, []),
    "pmq_create": (_c_int, [_c_char_p, _c_uint, _c_uint, _c_int64, _c_int64,
                            ctypes.POINTER(queue_p)]),
    "pmq_open": (_c_int, [_c_char_p, _c_uint, ctypes.POINTER(queue_p)]),
    "pmq_close": (_c_int, [queue_p]),
    "pmq_unlink": (_c_int, [_c_char_p]),
    "pmq_send": (_c_int, [queue_p, _c_void_p, _c_size_t, _c_uint]),
    "pmq_send_timed": (_c_int, [queue_p, _c_void_p, _c_size_t, _c_uint, _c_int]),
    "pmq_recv": (_c_int, [queue_p, _c_void_p, _c_size_t, ctypes.POINTER(_c_uint)]),
    "pmq_recv_timed": (_c_int, [queue_p, _c_void_p, _c_size_t, ctypes.POINTER(_c_uint),
                                _c_int]),
    "pmq_getattr": (_c_int, [queue_p, ctypes.POINTER(pmq_attr)]),
    "pmq_set_nonblocking": (_c_int, [queue_p, _c_int]),
    "pmq_fd": (_c_int, [queue_p]),
    "pmq_name": (_c_char_p, [queue_p]),
    "pmq_notify": (_c_int, [queue_p, notify_fn, _c_void_p]),
    "pmq_notify_signal": (_c_int, [queue_p, _c_int]),
    "pmq_send_to": (_c_int, [_c_char_p, _c_void_p, _c_size_t, _c_uint, _c_uint]),
    "pmq_recv_from": (_c_int, [_c_char_p, _c_void_p, _c_size_t, ctypes.POINTER(_c_uint),
                               _c_uint]),
    "pmq_info": (_c_int, [_c_char_p, ctypes.POINTER(pmq_attr)]),
    "pmq_get_limits": (_c_int, [ctypes.POINTER(pmq_limits)]),
    # 1.1
    "pmq_wait": (_c_int, [queue_p, _c_uint, _c_int]),
    "pmq_interrupt": (_c_int, [queue_p]),
    "pmq_resume": (_c_int, [queue_p]),
    "pmq_adopt": (_c_int, [_c_int, _c_char_p, ctypes.POINTER(queue_p)]),
    "pmq_create_unique": (_c_int, [_c_char_p, _c_uint, _c_uint, _c_int64, _c_int64,
                                   ctypes.POINTER(queue_p)]),
    "pmq_strerror": (_c_char_p, [_c_int]),
    "pmq_err_name": (_c_char_p, [_c_int]),
    "pmq_last_error": (_c_char_p, []),
    "pmq_version_number": (_c_uint, []),
    "pmq_version_string": (_c_char_p, []),
}


def _load():
    path = os.environ.get(LIBRARY_VARIABLE) or DEFAULT_LIBRARY
    try:
        library = ctypes.CDLL(path)
    except OSError as error:
        if LIBRARY_VARIABLE in os.environ:
            hint = ("check that %s=%r names the libpmq.so.1 file (for a build tree: "
                    "<builddir>/src/libpmq.so.1)" % (LIBRARY_VARIABLE, path))
        else:
            hint = ("install it (Debian package libpmq1), or point %s at the file, "
                    "e.g. %s=<builddir>/src/libpmq.so.1" % (LIBRARY_VARIABLE,
                                                           LIBRARY_VARIABLE))
        raise ImportError("pmq: cannot load %s (%s); %s" % (path, error, hint)) from None
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            function = getattr(library, name)
        except AttributeError:
            raise ImportError("pmq: %s has no %s(); it is older than this package needs"
                              % (path, name)) from None
        function.restype = restype
        function.argtypes = argtypes
    return library


lib = _load()
