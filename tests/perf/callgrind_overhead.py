#!/usr/bin/env python3
"""User-space instructions per call: libpmq against raw mq_send/mq_receive.

    callgrind_overhead.py VALGRIND PROBE PAIRS HANDLE_BOUND NAME_BOUND

Runs instruction_probe under valgrind --tool=callgrind once per style
(raw, handle, timed, name), counting only measured_pairs(), which does PAIRS
send+receive pairs.  Prints the instructions per call of each style and its
overhead over raw, and fails when the handle calls (pmq_send/pmq_recv and the
timed forms) cost more than HANDLE_BOUND extra instructions per call, or the
name-based calls more than NAME_BOUND.  The kernel's work is not counted:
this measures only what libpmq adds in user space.

It also reads callgrind's call graph and fails unless, for the handle calls,
glibc's mq_send / mq_receive / mq_timedsend / mq_timedreceive are called
straight from the pmq_* entry point.  Every frame a call returns through after
its system call costs about 1% of a 16-byte send on the machines this was
measured on, more than its instructions suggest, so the hot path is inlined
into the facade and this keeps it so.

Exits 77 (skipped) when valgrind is missing or cannot read the build's
debugging information.
"""
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77


class Unreadable(Exception):
    """valgrind could not read the debugging information of a library."""
STYLES = {
    "raw": "mq_send + mq_receive",
    "handle": "pmq_send + pmq_recv",
    "timed": "pmq_send_timed + pmq_recv_timed",
    "name": "pmq_send_to + pmq_recv_from",
}


GLIBC_QUEUE_CALLS = ("mq_send", "mq_receive", "mq_timedsend", "mq_timedreceive")

# Who must call glibc's mq_* in each style: the probe's own one_pair() for raw
# (a control that the call graph is read right), the entry points themselves
# for the handle calls.  A lambda or helper left out of line has another name
# ("pmq_send::{lambda()#1}::operator()() const") and fails the comparison.
EXPECTED_CALLERS = {
    "raw": {"one_pair"},
    "handle": {"pmq_send", "pmq_recv"},
    "timed": {"pmq_send_timed", "pmq_recv_timed"},
}


def plain_name(function):
    """A function's name without a symbol version or a compiler clone suffix:
    "mq_send@@GLIBC_2.34" -> "mq_send", "one_pair.isra.0" -> "one_pair"."""
    return function.split("@")[0].split(".")[0]


def glibc_queue_callers(path):
    """The functions that call glibc's mq_* send/receive, glibc's own excluded.

    callgrind names each function once, as "(id) name", and by "(id)" after.
    """
    names = {}
    callers = set()
    current = None

    def resolve(text):
        match = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not match:
            return text
        if match.group(2):
            names[match.group(1)] = match.group(2)
        return names.get(match.group(1), "?")

    def is_glibc_queue_call(function):
        return plain_name(function) in GLIBC_QUEUE_CALLS

    with open(path) as f:
        for line in f:
            if line.startswith("fn="):
                current = resolve(line[3:].strip())
            elif line.startswith("cfn="):
                callee = resolve(line[4:].strip())
                if is_glibc_queue_call(callee) and not is_glibc_queue_call(current):
                    callers.add(current)
    return callers


def instructions(valgrind, probe, style, pairs, tmp):
    out = os.path.join(tmp, "callgrind." + style)
    run = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=" + out,
                          "--toggle-collect=measured_pairs", probe, style, str(pairs)],
                         capture_output=True, text=True)
    if run.returncode != 0 and "debuginfo reader" in run.stderr:
        raise Unreadable()
    if run.returncode != 0:
        raise SystemExit(f"instruction_probe {style} failed:\n{run.stderr}")
    with open(out) as f:
        for line in f:
            match = re.match(r"(?:summary|totals):\s+(\d+)", line)
            if match:
                return int(match.group(1)), glibc_queue_callers(out)
    raise SystemExit(f"no instruction total in {out}")


def main():
    if len(sys.argv) != 6:
        raise SystemExit(__doc__)
    valgrind, probe = sys.argv[1:3]
    pairs, handle_bound, name_bound = (int(a) for a in sys.argv[3:6])
    if not valgrind or not os.access(valgrind, os.X_OK):
        print("SKIP: valgrind is not installed (Debian package valgrind)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        try:
            runs = {s: instructions(valgrind, probe, s, pairs, tmp) for s in STYLES}
        except Unreadable:
            print("SKIP: this valgrind cannot read the build's debugging information "
                  "(valgrind 3.19 and clang's DWARF 5); build with -gdwarf-4 or with g++")
            return SKIP
    per_call = {s: total / (2 * pairs) for s, (total, _) in runs.items()}
    failures = []
    print(f"user-space instructions per call ({pairs} pairs each, kernel not counted)")
    for style, calls in STYLES.items():
        extra = per_call[style] - per_call["raw"]
        bound = None if style == "raw" else name_bound if style == "name" else handle_bound
        limit = "" if bound is None else f"  (bound {bound})"
        print(f"  {calls:34} {per_call[style]:7.1f}   +{extra:6.1f} over raw{limit}")
        if bound is not None and extra > bound:
            failures.append(f"{calls}: {extra:.1f} extra instructions per call, bound {bound}")
    print("callers of glibc's mq_* send/receive (no frame in between for the handle calls):")
    for style, wanted in EXPECTED_CALLERS.items():
        callers = runs[style][1]
        print(f"  {STYLES[style]:34} {', '.join(sorted(callers)) or 'none'}")
        if {plain_name(c) for c in callers} != wanted:
            failures.append(f"{STYLES[style]}: glibc's mq_* calls come from "
                            f"{sorted(callers)}, not from {sorted(wanted)} alone")
    if failures:
        raise SystemExit("FAIL: " + "; ".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
