#!/usr/bin/env python3
"""Counts the system calls one libpmq operation makes on a ready queue.

    count_syscalls.py STRACE PROBE OPERATION MIN MAX [TIMEOUT]

Runs `PROBE OPERATION` under `strace -f`, takes the system calls the probe's
process made between its two getppid() markers, and fails unless their
number is within MIN..MAX.  TIMEOUT, if given, is what every mq_timedsend /
mq_timedreceive among them must pass as its timeout: "null" (the plain
mq_send/mq_receive, the kernel's cheapest path) or "deadline".  Exits 77
(skipped) when strace is missing or may not trace here.
"""
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
# "1234 mq_timedsend(3, ..." / "1234 <... mq_timedsend resumed>..." / "1234 +++ exited ..."
LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)(?:\(| resumed>)")


def calls_between_markers(trace_text):
    """The (name, line) of the calls between the first two getppid() lines."""
    calls = []
    inside = False
    for line in trace_text.splitlines():
        match = LINE.match(line)
        if not match or "resumed>" in line:
            continue  # signals, exits, and the second half of an interrupted call
        name = match.group(2)
        if name == "getppid":
            if inside:
                return calls
            inside = True
        elif inside:
            calls.append((name, line))
    raise SystemExit("the trace has no pair of getppid() markers:\n" + trace_text)


def main():
    if len(sys.argv) not in (6, 7):
        raise SystemExit(__doc__)
    strace, probe, operation = sys.argv[1:4]
    low, high = int(sys.argv[4]), int(sys.argv[5])
    timeout = sys.argv[6] if len(sys.argv) == 7 else None
    if not strace or not os.access(strace, os.X_OK):
        print("SKIP: strace is not installed (Debian package strace)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        trace_file = os.path.join(tmp, "trace")
        run = subprocess.run([strace, "-f", "-qq", "-o", trace_file, probe, operation],
                             capture_output=True, text=True)
        if run.returncode != 0 and not os.path.exists(trace_file):
            print("SKIP: strace cannot trace here:", run.stderr.strip())
            return SKIP
        if run.returncode != 0:
            print(run.stdout, run.stderr, sep="\n")
            raise SystemExit(f"{probe} {operation} failed (exit {run.returncode})")
        with open(trace_file) as f:
            calls = calls_between_markers(f.read())
    names = [name for name, _ in calls]
    print(f"{operation}: {len(calls)} system call(s): {', '.join(names) or 'none'}")
    if not low <= len(calls) <= high:
        want = str(low) if low == high else f"{low}..{high}"
        raise SystemExit(f"FAIL: {operation} made {len(calls)} system calls, expected {want}")
    if timeout is not None:
        timed = [line for name, line in calls if name in ("mq_timedsend", "mq_timedreceive")]
        if not timed:
            raise SystemExit(f"FAIL: {operation} made no mq_timedsend/mq_timedreceive to check")
        for line in timed:
            passed_null = ", NULL)" in line
            if passed_null != (timeout == "null"):
                raise SystemExit(f"FAIL: {operation} should pass a {timeout} timeout: {line}")
        print(f"{operation}: the timeout passed is {timeout}, as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
