"""The implementation in use is the one expected (a broken extension build
must fail here, not fall back unnoticed), it shares the one libpmq loaded,
and a warm send and receive make one system call each, counted under
strace (clock-free)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import pmq

EXPECTED = os.environ.get("PMQ_EXPECT_IMPLEMENTATION")

# Between getppid() markers: a warm send, then a warm receive.
PROBE = textwrap.dedent("""
    import os, sys
    import pmq
    name = sys.argv[1]
    with pmq.Queue.create(name, exclusive=True, max_messages=4, message_size=64) as queue:
        try:
            for _ in range(3):  # warm: buffers, caches, first-call paths
                queue.send(b"w" * 64, 1)
                queue.receive()
            data = b"m" * 64
            os.getppid()
            queue.send(data, 1)
            os.getppid()
            message = queue.receive()
            os.getppid()
            assert message == (data, 1), message
        finally:
            pmq.unlink(name)
    print(pmq.implementation)
""")
LINE = re.compile(r"^(\d+)\s+([a-z_0-9]+)\(")


def calls_between_markers(trace):
    """The system calls between consecutive getppid() markers, one list per gap."""
    gaps, current = [], None
    for line in trace.splitlines():
        match = LINE.match(line)
        if not match:
            continue
        if match.group(2) == "getppid":
            if current is not None:
                gaps.append(current)
            current = []
        elif current is not None:
            current.append(match.group(2))
    return gaps


class ImplementationTest(unittest.TestCase):
    @unittest.skipUnless(EXPECTED, "PMQ_EXPECT_IMPLEMENTATION names the path under test")
    def test_the_expected_path_is_in_use(self):
        self.assertEqual(pmq.implementation, EXPECTED, pmq.fallback_reason)
        self.assertEqual(pmq.fallback_reason == "", EXPECTED == "c")

    def test_one_libpmq_is_loaded(self):
        with open("/proc/self/maps") as maps:
            files = {os.path.realpath(line.split()[-1]) for line in maps
                     if "libpmq.so" in line}
        self.assertEqual(len(files), 1, files)
        library = os.environ.get("PMQ_LIBRARY")
        if library:
            self.assertEqual(files, {os.path.realpath(library)})


class SystemCallsTest(unittest.TestCase):
    def test_a_warm_send_and_receive_make_one_system_call_each(self):
        strace = shutil.which("strace")
        if strace is None:
            self.skipTest("strace is not installed (Debian package strace)")
        name = "/pmqtest-py-syscalls-%d" % os.getpid()
        with tempfile.TemporaryDirectory() as tmp:
            trace_file = os.path.join(tmp, "trace")
            run = subprocess.run([strace, "-f", "-qq", "-o", trace_file, sys.executable,
                                  "-c", PROBE, name], capture_output=True, text=True,
                                 timeout=120)
            if run.returncode != 0 and not os.path.exists(trace_file):
                self.skipTest("strace cannot trace here: " + run.stderr.strip())
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stdout.strip(), pmq.implementation)
            with open(trace_file) as trace:
                gaps = calls_between_markers(trace.read())
        self.assertEqual(len(gaps), 2, gaps)
        send, receive = gaps
        self.assertEqual(send, ["mq_timedsend"])
        self.assertEqual(receive, ["mq_timedreceive"])

    def test_the_counter_sees_calls(self):
        # The control: a gap with two known calls counts two.
        trace = "1 getppid() = 1\n1 getpid() = 2\n1 close(3) = 0\n1 getppid() = 1\n"
        self.assertEqual(calls_between_markers(trace), [["getpid", "close"]])


if __name__ == "__main__":
    unittest.main()
