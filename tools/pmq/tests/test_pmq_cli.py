#!/usr/bin/env python3
"""The pmq command-line tool, driven the way people use it: as a program.

Usage: test_pmq_cli.py PATH-TO-PMQ PATH-TO-pmq.1.scd [unittest arguments]

Every queue gets a unique name and is removed with mq_unlink (through ctypes,
independently of the tool under test) when its test ends; the `ls` tests run
in private mount and IPC namespaces.
"""
import ctypes
import ctypes.util
import functools
import json
import os
import pwd
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import unittest

PMQ = None  # set from the command line
MAN_PAGE = None  # the scdoc source of pmq(1)

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
try:
    _mq_unlink = _libc.mq_unlink
except AttributeError:  # glibc before 2.34 keeps mq_* in librt
    _mq_unlink = ctypes.CDLL(ctypes.util.find_library("rt")).mq_unlink
_mq_unlink.argtypes = [ctypes.c_char_p]

_counter = 0
_salt = random.randrange(100000)


def unique_name(tag="q"):
    """A name no other test or run uses, like tests/support/test_support.hpp."""
    global _counter
    _counter += 1
    return f"/pmqtest-cli{tag}-{os.getpid()}-{_counter}-{_salt}"


def run(*args, input=b"", timeout=20):
    return subprocess.run([PMQ, *args], input=input, capture_output=True, timeout=timeout)


def limits():
    return json.loads(run("limits", "--json").stdout)


def can_unshare():
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--ipc", "--propagation", "private", "true"],
                           capture_output=True)
    return probe.returncode == 0


class CliTestCase(unittest.TestCase):
    def queue(self, *create_args, tag="q"):
        """Creates a queue with `pmq create` and removes it when the test ends."""
        name = unique_name(tag)
        self.addCleanup(_mq_unlink, name.encode())
        result = run("create", name, *create_args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return name

    def unused_name(self):
        name = unique_name("unused")
        self.addCleanup(_mq_unlink, name.encode())
        return name

    def info(self, name):
        result = run("info", name, "--json")
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def assertFailure(self, result, *words):
        """Exit 1 with one line on stderr, "pmq: ...", mentioning each of words."""
        self.assertEqual(result.returncode, 1, result.stderr)
        err = result.stderr.decode()
        self.assertTrue(err.startswith("pmq: "), err)
        self.assertEqual(err.count("\n"), 1, err)
        for word in words:
            self.assertIn(word, err)

    def assertUsageError(self, result, *words):
        """Exit 2, the usage on stderr, nothing on stdout."""
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(result.stdout, b"")
        err = result.stderr.decode()
        self.assertTrue(err.startswith("pmq: "), err)
        self.assertIn("Usage: pmq", err)
        for word in words:
            self.assertIn(word, err)


class TopLevel(CliTestCase):
    def test_version_names_tool_and_library(self):
        result = run("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout.decode(), r"^pmq \d+\.\d+\.\d+ \(libpmq \d+\.\d+\.\d+\)\n$")

    def test_help_lists_every_command(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        for command in ("create", "send", "recv", "info", "ls", "unlink", "limits"):
            self.assertIn(command, result.stdout.decode())

    def test_each_command_has_help(self):
        expected = {
            "create": ["--max-messages", "--message-size", "--mode", "--exclusive"],
            "send": ["--priority", "--timeout", "--nonblock", "--raw"],
            "recv": ["--count", "--follow", "--timeout", "--nonblock", "--show-priority", "--format"],
            "info": ["--json"], "ls": ["--json"], "unlink": ["NAME"], "limits": ["--json"],
        }
        for command, options in expected.items():
            with self.subTest(command=command):
                result = run(command, "--help")
                self.assertEqual(result.returncode, 0)
                self.assertIn(f"Usage: pmq {command}", result.stdout.decode())
                for option in options:
                    self.assertIn(option, result.stdout.decode())

    def test_no_command_is_a_usage_error(self):
        self.assertUsageError(run(), "subcommand is required")

    def test_unknown_command_is_a_usage_error(self):
        self.assertUsageError(run("frobnicate", "/x"), "unknown command 'frobnicate'")

    def test_unknown_option_is_a_usage_error(self):
        self.assertUsageError(run("limits", "--bogus"), "--bogus")
        self.assertUsageError(run("--bogus"), "--bogus")


class Create(CliTestCase):
    def test_defaults_come_from_the_system(self):
        name = self.queue()
        attr = self.info(name)
        lim = limits()
        self.assertEqual(attr["max_messages"], lim["msg_default"])
        self.assertEqual(attr["message_size"], lim["msgsize_default"])
        self.assertEqual(attr["current_messages"], 0)

    def test_sizes_are_applied(self):
        name = self.queue("--max-messages", "3", "--message-size", "100")
        attr = self.info(name)
        self.assertEqual((attr["max_messages"], attr["message_size"]), (3, 100))

    def test_name_without_slash_is_accepted(self):
        name = self.queue()
        self.assertEqual(self.info(name[1:])["name"], name)

    def test_existing_queue_keeps_attributes_and_says_so(self):
        name = self.queue("--max-messages", "2")
        result = run("create", name, "--max-messages", "4")
        self.assertEqual(result.returncode, 0)
        self.assertIn("keeps them", result.stderr.decode())
        self.assertEqual(self.info(name)["max_messages"], 2)

    def test_existing_queue_without_sizes_is_quietly_opened(self):
        name = self.queue()
        result = run("create", name)
        self.assertEqual((result.returncode, result.stderr), (0, b""))

    def test_exclusive_fails_on_existing_queue(self):
        name = self.queue()
        self.assertFailure(run("create", name, "--exclusive"), "already exists")

    def test_exclusive_creates_a_new_queue(self):
        name = self.unused_name()
        self.assertEqual(run("create", name, "--exclusive").returncode, 0)
        self.assertEqual(self.info(name)["current_messages"], 0)

    def test_beyond_system_limits_is_explained(self):
        name = self.unused_name()
        too_big = limits()["msgsize_max"] * 4096
        self.assertFailure(run("create", name, "--message-size", str(too_big)), name)
        self.assertFailure(run("info", name), "no queue")

    def test_invalid_names_are_explained(self):
        for bad in ("a/b", "x" * 300, ""):
            with self.subTest(name=bad[:20]):
                self.assertFailure(run("create", bad), "pmq_create")

    def test_bad_values_are_usage_errors_and_create_nothing(self):
        cases = [
            (["--mode", "999"], "not octal"),
            (["--mode", "1777"], "beyond 0777"),
            (["--mode", "rw"], "not octal"),
            (["--max-messages", "-1"], "not a whole number"),
            (["--max-messages", "abc"], "not a whole number"),
            (["--message-size", "1.5"], "not a whole number"),
            (["--max-messages"], "--max-messages"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                name = self.unused_name()
                self.assertUsageError(run("create", name, *args), words)
                self.assertFailure(run("info", name), "no queue")

    def test_missing_name_is_a_usage_error(self):
        self.assertUsageError(run("create"), "NAME is required")


class Send(CliTestCase):
    def receive_all(self, name, *args):
        result = run("recv", name, "--nonblock", "--count", "100", "--format", "json", *args)
        self.assertEqual(result.returncode, 3)  # it runs dry before 100
        return [json.loads(line) for line in result.stdout.decode().splitlines()]

    def test_each_argument_is_one_message(self):
        name = self.queue()
        result = run("send", name, "one", "two words", "")
        self.assertEqual((result.returncode, result.stderr), (0, b""))
        self.assertEqual([m["text"] for m in self.receive_all(name)], ["one", "two words", ""])

    def test_each_line_of_stdin_is_one_message(self):
        name = self.queue()
        result = run("send", name, input=b"first\n\nthird\nlast without newline")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([m["text"] for m in self.receive_all(name)],
                         ["first", "", "third", "last without newline"])

    def test_empty_stdin_sends_nothing(self):
        name = self.queue()
        self.assertEqual(run("send", name, input=b"").returncode, 0)
        self.assertEqual(self.info(name)["current_messages"], 0)

    def test_raw_sends_all_of_stdin_as_one_message(self):
        name = self.queue()
        data = b"line 1\nline 2\n\x00\xff binary"
        self.assertEqual(run("send", name, "--raw", input=data).returncode, 0)
        messages = self.receive_all(name)
        self.assertEqual(len(messages), 1)
        self.assertEqual(bytes.fromhex(messages[0]["hex"]), data)

    def test_raw_with_arguments_is_a_usage_error(self):
        name = self.queue()
        self.assertUsageError(run("send", name, "--raw", "text"), "excludes")
        self.assertEqual(self.info(name)["current_messages"], 0)

    def test_priority_orders_messages(self):
        name = self.queue()
        run("send", name, "low")
        run("send", name, "--priority", "7", "high")
        run("send", name, "-p", "3", "middle")
        messages = self.receive_all(name)
        self.assertEqual([(m["text"], m["priority"]) for m in messages],
                         [("high", 7), ("middle", 3), ("low", 0)])

    def test_priority_beyond_prio_max_is_a_failure_explained_by_the_library(self):
        name = self.queue()
        prio_max = limits()["prio_max"]
        self.assertFailure(run("send", name, "--priority", str(prio_max), "m"), "priority", str(prio_max))
        self.assertEqual(run("send", name, "--priority", str(prio_max - 1), "m").returncode, 0)

    def test_malformed_priority_is_a_usage_error_and_sends_nothing(self):
        name = self.queue()
        for bad in ("-1", "high", "99999999999999"):
            with self.subTest(priority=bad):
                self.assertUsageError(run("send", name, "--priority", bad, "m"), "--priority")
        self.assertEqual(self.info(name)["current_messages"], 0)

    def test_message_larger_than_message_size_is_explained(self):
        name = self.queue("--message-size", "8")
        self.assertFailure(run("send", name, "123456789"), "message_size")
        self.assertEqual(run("send", name, "12345678").returncode, 0)

    def test_full_queue_with_nonblock_exits_3(self):
        name = self.queue("--max-messages", "1")
        self.assertEqual(run("send", name, "a").returncode, 0)
        result = run("send", name, "--nonblock", "b")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("stayed full", result.stderr.decode())
        self.assertEqual(self.info(name)["current_messages"], 1)

    def test_full_queue_with_timeout_exits_3_after_sending_what_fit(self):
        name = self.queue("--max-messages", "2")
        result = run("send", name, "--timeout", "50", "a", "b", "c", "d")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("after sending 2 messages", result.stderr.decode())
        self.assertEqual([m["text"] for m in self.receive_all(name)], ["a", "b"])

    def test_timeout_and_nonblock_together_are_a_usage_error(self):
        name = self.queue()
        self.assertUsageError(run("send", name, "--timeout", "5", "--nonblock", "m"), "excludes")
        self.assertUsageError(run("send", name, "--timeout", "-5", "m"), "--timeout")

    def test_missing_queue_is_explained(self):
        self.assertFailure(run("send", self.unused_name(), "m"), "no queue")


class Recv(CliTestCase):
    def filled(self, *messages, create_args=()):
        name = self.queue(*create_args)
        for priority, text in messages:
            self.assertEqual(run("send", name, "-p", str(priority), "--", text).returncode, 0)
        return name

    def test_text_writes_one_message_and_a_newline(self):
        name = self.filled((0, "first"), (0, "second"))
        result = run("recv", name)
        self.assertEqual((result.returncode, result.stdout), (0, b"first\n"))
        self.assertEqual(self.info(name)["current_messages"], 1)

    def test_count(self):
        name = self.filled((0, "a"), (0, "b"), (0, "c"))
        result = run("recv", name, "--count", "2")
        self.assertEqual((result.returncode, result.stdout), (0, b"a\nb\n"))

    def test_show_priority(self):
        name = self.filled((1, "low"), (9, "high"))
        result = run("recv", name, "-c", "2", "--show-priority")
        self.assertEqual(result.stdout, b"9\thigh\n1\tlow\n")

    def test_hex(self):
        name = self.queue()
        run("send", name, "--raw", input=b"\x00\x01AZ\xff")
        self.assertEqual(run("recv", name, "--format", "hex").stdout, b"0001415aff\n")
        run("send", name, "-p", "4", "hi")
        self.assertEqual(run("recv", name, "--format", "hex", "-P").stdout, b"4\t6869\n")

    def test_json_lines_parse_back(self):
        name = self.queue()
        run("send", name, "-p", "2", "héllo \"quoted\"\ttab")
        run("send", name, "--raw", input=b"\xff\xfe not utf-8")
        result = run("recv", name, "-c", "2", "--format", "json")
        self.assertEqual(result.returncode, 0)
        first, second = [json.loads(line) for line in result.stdout.decode().splitlines()]
        self.assertEqual(first, {"text": "héllo \"quoted\"\ttab", "priority": 2,
                                 "length": len("héllo \"quoted\"\ttab".encode()),
                                 "hex": "héllo \"quoted\"\ttab".encode().hex()})
        self.assertNotIn("text", second)  # not valid UTF-8: hex only
        self.assertEqual(bytes.fromhex(second["hex"]), b"\xff\xfe not utf-8")
        self.assertEqual(second["length"], 12)

    def test_empty_queue_with_nonblock_exits_3(self):
        name = self.queue()
        result = run("recv", name, "--nonblock")
        self.assertEqual((result.returncode, result.stdout), (3, b""))
        self.assertIn("stayed empty", result.stderr.decode())

    def test_empty_queue_with_timeout_exits_3(self):
        name = self.queue()
        result = run("recv", name, "--timeout", "50")
        self.assertEqual((result.returncode, result.stdout), (3, b""))

    def test_fewer_than_count_prints_them_and_exits_3(self):
        name = self.filled((0, "a"), (0, "b"))
        result = run("recv", name, "--count", "3", "--nonblock")
        self.assertEqual((result.returncode, result.stdout), (3, b"a\nb\n"))
        self.assertIn("2 of 3", result.stderr.decode())

    def test_follow_with_nonblock_drains_the_queue(self):
        name = self.filled((0, "a"), (0, "b"), (0, "c"))
        result = run("recv", name, "--follow", "--nonblock")
        self.assertEqual((result.returncode, result.stdout), (0, b"a\nb\nc\n"))
        self.assertEqual(self.info(name)["current_messages"], 0)
        self.assertEqual(run("recv", name, "--follow", "--nonblock").returncode, 3)

    def test_follow_receives_until_sigint_then_exits_0(self):
        name = self.queue()
        follower = subprocess.Popen([PMQ, "recv", name, "--follow"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        self.addCleanup(follower.kill)
        try:
            run("send", name, "one")
            self.assertEqual(self.read_line(follower), b"one\n")
            run("send", name, "two")  # sent while it waits
            self.assertEqual(self.read_line(follower), b"two\n")
            follower.send_signal(signal.SIGINT)
            out, err = follower.communicate(timeout=10)
        finally:
            follower.stdout.close()
            follower.stderr.close()
        self.assertEqual((follower.returncode, out, err), (0, b"", b""))

    def test_follow_ends_on_sigterm_too(self):
        name = self.queue()
        follower = subprocess.Popen([PMQ, "recv", name, "--follow"], stdout=subprocess.PIPE)
        self.addCleanup(follower.kill)
        try:
            run("send", name, "x")
            self.assertEqual(self.read_line(follower), b"x\n")
            follower.send_signal(signal.SIGTERM)
            follower.wait(timeout=10)
        finally:
            follower.stdout.close()
        self.assertEqual(follower.returncode, 0)

    def read_line(self, process, timeout=10):
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        self.assertTrue(ready, "pmq recv --follow wrote nothing")
        return process.stdout.readline()

    def test_bad_values_are_usage_errors_and_receive_nothing(self):
        name = self.filled((0, "kept"))
        cases = [
            (["--count", "0"], "--count"),
            (["--count", "-2"], "--count"),
            (["--format", "xml"], "--format"),
            (["--timeout", "soon"], "--timeout"),
            (["--timeout", "5", "--nonblock"], "excludes"),
            (["--follow", "--count", "2"], "excludes"),
            (["extra-argument"], "extra-argument"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                self.assertUsageError(run("recv", name, *args), words)
        self.assertEqual(self.info(name)["current_messages"], 1)

    def test_missing_queue_is_explained(self):
        self.assertFailure(run("recv", self.unused_name(), "--nonblock"), "no queue")

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_unwritable_output_is_a_failure_that_stops_taking_messages(self):
        name = self.filled((0, "a"), (0, "b"), (0, "c"))
        with open("/dev/full", "wb") as full:
            result = subprocess.run([PMQ, "recv", name, "--count", "3"], stdout=full,
                                    stderr=subprocess.PIPE, timeout=20)
        self.assertFailure(result, "standard output", "lost")
        self.assertEqual(self.info(name)["current_messages"], 2)


class InfoUnlinkLimits(CliTestCase):
    def test_info_text(self):
        name = self.queue("--max-messages", "4", "--message-size", "32")
        run("send", name, "m")
        result = run("info", name)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout.decode(),
                         f"name: {name}\nmax_messages: 4\nmessage_size: 32\ncurrent_messages: 1\n")

    def test_info_json_uses_the_c_api_names(self):
        name = self.queue("--max-messages", "4", "--message-size", "32")
        self.assertEqual(self.info(name), {"name": name, "max_messages": 4, "message_size": 32,
                                           "current_messages": 0})

    def test_info_on_missing_queue(self):
        self.assertFailure(run("info", self.unused_name()), "no queue")
        self.assertFailure(run("info", "a/b"), "pmq_info")

    def test_unlink_removes_every_name(self):
        a, b = self.queue(), self.queue()
        result = run("unlink", a, b)
        self.assertEqual((result.returncode, result.stderr), (0, b""))
        self.assertFailure(run("info", a), "no queue")
        self.assertFailure(run("info", b), "no queue")

    def test_unlink_goes_on_after_a_failure_and_exits_1(self):
        missing, present = self.unused_name(), self.queue()
        self.assertFailure(run("unlink", missing, present), missing)
        self.assertFailure(run("info", present), "no queue")

    def test_unlink_without_names_is_a_usage_error(self):
        self.assertUsageError(run("unlink"), "NAME is required")

    def test_limits_json_uses_the_c_api_names(self):
        result = run("limits", "--json")
        self.assertEqual(result.returncode, 0)
        lim = json.loads(result.stdout)
        self.assertEqual(set(lim), {"prio_max", "name_max", "msg_max", "msgsize_max", "msg_default",
                                    "msgsize_default", "queues_max", "rlimit_msgqueue"})
        self.assertTrue(all(isinstance(v, int) for v in lim.values()))
        self.assertGreater(lim["prio_max"], 0)
        with open("/proc/sys/fs/mqueue/msg_max") as f:
            self.assertEqual(lim["msg_max"], int(f.read()))

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_unwritable_output_is_a_failure(self):
        with open("/dev/full", "wb") as full:
            result = subprocess.run([PMQ, "limits"], stdout=full, stderr=subprocess.PIPE, timeout=20)
        self.assertFailure(result, "cannot write to standard output")

    def test_limits_text_matches_json(self):
        lim = limits()
        lines = dict(line.split(": ") for line in run("limits").stdout.decode().splitlines())
        for key, value in lim.items():
            expected = str(value) if value >= 0 else ("unlimited" if key == "rlimit_msgqueue" else "unknown")
            self.assertEqual(lines[key], expected)


@functools.lru_cache(maxsize=None)
def nobody_can_run_pmq():
    """User 65534 runs the tool: it needs setpriv, root, and a build tree it may
    enter (not one under a 0700 directory such as /root)."""
    if not shutil.which("setpriv") or os.getuid() != 0:
        return False
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            PMQ, "--version"], capture_output=True, timeout=20)
    return probe.returncode == 0


NOBODY_SKIP_REASON = ("needs root, setpriv, and a build tree user 65534 may enter "
                      "(not under a 0700 directory such as /root)")


class Permissions(CliTestCase):
    """An owner-only queue (the default mode) seen by another user, "nobody"."""

    def setUp(self):
        if not nobody_can_run_pmq():
            self.skipTest(NOBODY_SKIP_REASON)
        super().setUp()

    def as_nobody(self, *args):
        return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               PMQ, *args], capture_output=True, timeout=20)

    def test_other_users_are_refused_with_an_explanation(self):
        name = self.queue()
        run("send", name, "secret")
        for args in (["recv", name, "--nonblock"], ["send", name, "x"], ["info", name],
                     ["unlink", name]):
            with self.subTest(args=args):
                self.assertFailure(self.as_nobody(*args), "pmq_")
        self.assertEqual(self.info(name)["current_messages"], 1)

    def test_mode_lets_other_users_in_as_far_as_the_umask_allows(self):
        previous = os.umask(0o022)  # inherited by pmq: 0666 becomes 0644
        self.addCleanup(os.umask, previous)
        name = self.queue("--mode", "0666")
        run("send", name, "hello")
        result = self.as_nobody("recv", name)
        self.assertEqual((result.returncode, result.stdout), (0, b"hello\n"))
        self.assertFailure(self.as_nobody("send", name, "x"), "may not open")


@unittest.skipUnless(can_unshare(), "needs unshare --mount --ipc (root)")
class Ls(CliTestCase):
    """Runs pmq in private mount and IPC namespaces: it sees only its own queues."""

    def in_namespace(self, script, mqueue="mounted"):
        # A tmpfs over /dev (in this namespace only) gives a /dev/mqueue that is
        # mounted, merely a directory, or missing, whatever the host has.
        prepare = {
            "mounted": "mkdir /dev/mqueue && mount -t mqueue none /dev/mqueue",
            "unmounted": "mkdir /dev/mqueue",
            "missing": "true",
        }[mqueue]
        return subprocess.run(
            ["unshare", "--mount", "--ipc", "--propagation", "private", "sh", "-ec",
             f"mount -t tmpfs none /dev && {prepare}\n{script}"],
            env={**os.environ, "PMQ": PMQ}, capture_output=True, timeout=30)

    def test_without_mqueue_mounted_it_says_how_to_mount(self):
        result = self.in_namespace('"$PMQ" ls', mqueue="unmounted")
        self.assertFailure(result, "/dev/mqueue is not mounted", "'mount -t mqueue none /dev/mqueue'")
        self.assertEqual(result.stdout, b"")

    def test_without_dev_mqueue_it_says_how_to_create_and_mount(self):
        result = self.in_namespace('"$PMQ" ls --json', mqueue="missing")
        self.assertFailure(result, "does not exist",
                           "'mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue'")
        self.assertEqual(result.stdout, b"")

    def test_empty(self):
        result = self.in_namespace('"$PMQ" ls --json')
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout), [])

    def test_json_lists_every_queue(self):
        result = self.in_namespace(
            '"$PMQ" create /beta --max-messages 3 --message-size 64 --mode 0640\n'
            '"$PMQ" create alpha\n'
            '"$PMQ" send /beta hello "hi there"\n'
            '"$PMQ" ls --json')
        self.assertEqual(result.returncode, 0, result.stderr)
        queues = json.loads(result.stdout)
        self.assertEqual([q["name"] for q in queues], ["/alpha", "/beta"])
        beta = queues[1]
        self.assertEqual(beta["mode"], "0640")
        self.assertEqual((beta["uid"], beta["owner"]), (os.getuid(), pwd.getpwuid(os.getuid()).pw_name))
        self.assertEqual((beta["max_messages"], beta["message_size"], beta["current_messages"]), (3, 64, 2))
        self.assertEqual(beta["bytes_queued"], len("hello") + len("hi there"))
        self.assertEqual(queues[0]["mode"], "0600")
        self.assertEqual(queues[0]["bytes_queued"], 0)

    def test_table(self):
        result = self.in_namespace('"$PMQ" create /jobs --max-messages 5 --message-size 10\n'
                                   '"$PMQ" send jobs abc\n"$PMQ" ls')
        self.assertEqual(result.returncode, 0, result.stderr)
        header, row = result.stdout.decode().splitlines()
        self.assertEqual(header.split(), ["NAME", "MODE", "OWNER", "MAX_MESSAGES", "MESSAGE_SIZE",
                                          "CURRENT_MESSAGES", "BYTES_QUEUED"])
        self.assertEqual(row.split()[:2], ["/jobs", "0600"])
        self.assertEqual(row.split()[3:], ["5", "10", "1", "3"])

    def test_queues_it_may_not_open_are_listed_without_attributes(self):
        if not nobody_can_run_pmq():
            self.skipTest(NOBODY_SKIP_REASON)
        result = self.in_namespace(
            '"$PMQ" create /private\n"$PMQ" create /public --mode 0644 --max-messages 2\n'
            'setpriv --reuid=65534 --regid=65534 --clear-groups "$PMQ" ls --json')
        self.assertEqual(result.returncode, 0, result.stderr)
        private, public = json.loads(result.stdout)
        self.assertEqual(private["name"], "/private")
        for field in ("max_messages", "message_size", "current_messages", "bytes_queued"):
            self.assertIsNone(private[field], field)
        self.assertEqual(private["owner"], "root")
        self.assertEqual((public["max_messages"], public["current_messages"], public["bytes_queued"]),
                         (2, 0, 0))

    def test_bad_option_is_a_usage_error(self):
        self.assertUsageError(run("ls", "extra"), "extra")


class ManualPage(CliTestCase):
    COMMANDS = ("create", "send", "recv", "info", "ls", "unlink", "limits")

    def test_every_command_and_option_is_in_pmq_1(self):
        with open(MAN_PAGE) as f:
            page = f.read()
        checked = 0
        for command in self.COMMANDS:
            with self.subTest(command=command):
                self.assertIn(f"*pmq* *{command}*", page)
                options = set(re.findall(r"--[a-z][a-z-]*", run(command, "--help").stdout.decode()))
                for option in options - {"--help"}:
                    self.assertIn(f"*{option}*", page)
                    checked += 1
        self.assertGreaterEqual(checked, 16)  # the help texts did list the options


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: test_pmq_cli.py PATH-TO-PMQ PATH-TO-pmq.1.scd [unittest arguments]")
    PMQ = os.path.abspath(sys.argv.pop(1))
    MAN_PAGE = sys.argv.pop(1)
    unittest.main(verbosity=2)
