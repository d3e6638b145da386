"""How long a send+receive pair of one small message takes through pmq,
next to what a Python programmer would use instead.

    python3 -m pmq.bench [--rounds N] [--pairs N] [--size BYTES] [--message-size BYTES]

Columns, each on its own queue (10 messages of --message-size bytes):
  pmq          pmq.Queue.send + receive, through pmq.implementation
  pmq-ctypes   the same calls through the ctypes fallback (pmq._core_ctypes)
  ctypes-libc  bare ctypes calls of glibc's mq_send / mq_receive (argtypes
               set, one reused buffer): the floor for any ctypes binding
  posix_ipc    posix_ipc.MessageQueue.send + receive, only when posix_ipc
               can be imported
Rounds are interleaved (each round runs every column, starting one column
later than the round before); the table shows each column's median time per
pair and the median over rounds of its ratio to posix_ipc (or to
ctypes-libc without it) in the same round.  The targets: pmq <= 1.0x
posix_ipc, pmq-ctypes <= 1.25x ctypes-libc.
"""

import argparse
import ctypes
import ctypes.util
import os
import platform
import statistics
import time

from . import _core_ctypes, _native, implementation
from .queue import Queue, unlink


def _name(column):
    return "/pmq-bench-%s-%d" % (column, os.getpid())


class _CtypesCore(_core_ctypes.Core):
    """The fallback's send and receive, exactly as pmq.Queue runs them
    when the extension is not in use."""

    def __init__(self, name, message_size):
        self.name = name
        handle = _native.queue_p()
        if _native.lib.pmq_open(os.fsencode(name), _native.PMQ_READ | _native.PMQ_WRITE,
                                ctypes.byref(handle)) < 0:
            raise OSError("pmq_open(%r) failed" % name)
        self._attach(ctypes.cast(handle, ctypes.c_void_p).value, message_size)


def _pmq(name, message_size, data):
    queue = Queue.create(name, exclusive=True, max_messages=10, message_size=message_size)
    send, receive = queue.send, queue.receive

    def pairs(count):
        for _ in range(count):
            send(data)
            receive()
    return pairs, queue.close


def _pmq_ctypes(name, message_size, data):
    Queue.create(name, exclusive=True, max_messages=10, message_size=message_size).close()
    core = _CtypesCore(name, message_size)
    send, receive = core.send, core.receive

    def pairs(count):
        for _ in range(count):
            send(data)
            receive()
    return pairs, core.close


def _ctypes_libc(name, message_size, data):
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    mq_open = libc.mq_open
    mq_open.argtypes, mq_open.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_int
    mq_send = libc.mq_send
    mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
    mq_send.restype = ctypes.c_int
    mq_receive = libc.mq_receive
    mq_receive.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    mq_receive.restype = ctypes.c_ssize_t
    libc.mq_close.argtypes, libc.mq_close.restype = [ctypes.c_int], ctypes.c_int
    Queue.create(name, exclusive=True, max_messages=10, message_size=message_size).close()
    fd = mq_open(os.fsencode(name), os.O_RDWR)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "mq_open(%r)" % name)
    # The quickest idioms: addresses as ints, a reused buffer, one copy out.
    storage = bytearray(message_size)
    buffer = (ctypes.c_char * message_size).from_buffer(storage)
    buffer_address = ctypes.addressof(buffer)
    view = memoryview(storage)
    priority = ctypes.c_uint()
    priority_address = ctypes.addressof(priority)
    length = len(data)

    def pairs(count):
        for _ in range(count):
            if mq_send(fd, data, length, 0) < 0:
                raise OSError(ctypes.get_errno(), "mq_send")
            n = mq_receive(fd, buffer_address, message_size, priority_address)
            if n < 0:
                raise OSError(ctypes.get_errno(), "mq_receive")
            view[:n].tobytes(), priority.value

    return pairs, lambda: libc.mq_close(fd)


def _posix_ipc(name, message_size, data):
    import posix_ipc
    queue = posix_ipc.MessageQueue(name, posix_ipc.O_CREX, max_messages=10,
                                   max_message_size=message_size)
    send, receive = queue.send, queue.receive

    def pairs(count):
        for _ in range(count):
            send(data)
            receive()
    return pairs, queue.close


def _columns():
    columns = [("pmq", _pmq), ("pmq-ctypes", _pmq_ctypes), ("ctypes-libc", _ctypes_libc)]
    try:
        import posix_ipc  # noqa: F401  (the column only when it imports)
    except ImportError:
        pass
    else:
        columns.append(("posix_ipc", _posix_ipc))
    return columns


def machine():
    """One line: CPU, kernel, Python, and the path pmq uses."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d CPUs, Linux %s, %s %s, pmq.implementation %r" % (
        cpu, os.cpu_count() or 0, platform.release(), platform.python_implementation(),
        platform.python_version(), implementation)


def run(rounds, pairs, size, message_size):
    """{column: [seconds per pair, one per round]}."""
    data = b"x" * size
    columns = _columns()
    opened = {}
    try:
        for column, setup in columns:
            name = _name(column)
            opened[column] = (name,) + setup(name, message_size, data)
        for _, run_pairs, _ in opened.values():
            run_pairs(min(pairs, 1000))  # warm up
        times = {column: [] for column, _ in columns}
        for round_number in range(rounds):
            start = round_number % len(columns)
            for column, _ in columns[start:] + columns[:start]:
                run_pairs = opened[column][1]
                begin = time.perf_counter()
                run_pairs(pairs)
                times[column].append((time.perf_counter() - begin) / pairs)
        return times
    finally:
        for name, _, close in opened.values():
            close()
            unlink(name)


def _ratio(times, column, reference):
    """The median over rounds of column / reference, each pair of times taken
    in the same round: a load that changes between rounds cancels out."""
    return statistics.median(a / b for a, b in zip(times[column], times[reference]))


def table(times):
    """The medians in microseconds, each column's ratio to the reference
    column, and the targets."""
    medians = {column: statistics.median(values) for column, values in times.items()}
    reference = "posix_ipc" if "posix_ipc" in medians else "ctypes-libc"
    lines = ["| column | µs per pair (median) | x %s (median of rounds) |" % reference,
             "|---|---|---|"]
    for column, median in medians.items():
        lines.append("| %s | %.2f | %.2f |" % (column, median * 1e6,
                                               _ratio(times, column, reference)))
    targets = ["pmq-ctypes / ctypes-libc = %.2f (target <= 1.25)"
               % _ratio(times, "pmq-ctypes", "ctypes-libc")]
    if "posix_ipc" in medians:
        targets.insert(0, "pmq / posix_ipc = %.2f (target <= 1.00)"
                       % _ratio(times, "pmq", "posix_ipc"))
    return "\n".join(lines), targets


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m pmq.bench", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=301, help="interleaved rounds (301)")
    parser.add_argument("--pairs", type=int, default=1000, help="pairs per round (1000)")
    parser.add_argument("--size", type=int, default=64, help="bytes per message (64)")
    parser.add_argument("--message-size", type=int, default=1024,
                        help="the queues' message_size (1024)")
    options = parser.parse_args(argv)
    if options.rounds < 1 or options.pairs < 1 or not 0 <= options.size <= options.message_size:
        parser.error("--rounds and --pairs must be >= 1, --size 0 .. --message-size")
    print(machine())
    print("%d-byte messages, message_size %d, %d rounds of %d pairs\n"
          % (options.size, options.message_size, options.rounds, options.pairs))
    text, targets = table(run(options.rounds, options.pairs, options.size,
                              options.message_size))
    print(text)
    print()
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
