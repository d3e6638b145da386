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

    def assertToolWords(self, result):
        """The explanation speaks the tool's language, not the C library's."""
        err = result.stderr.decode(errors="replace")
        self.assertNotRegex(err, r"\bpmq_[a-z_]+|PMQ_[A-Z]+", err)

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

    def test_unique_prints_a_fresh_name_made_from_the_prefix(self):
        prefix = unique_name("uniq") + "-"
        made = []
        for _ in range(2):
            result = run("create", "--unique", prefix, "--max-messages", "2")
            self.assertEqual((result.returncode, result.stderr), (0, b""))
            name = result.stdout.decode().strip()
            self.addCleanup(_mq_unlink, name.encode())
            self.assertRegex(name, "^" + re.escape(prefix) + "[0-9a-v]{16}$")
            self.assertEqual(self.info(name)["max_messages"], 2)
            made.append(name)
        self.assertNotEqual(made[0], made[1])

    def test_unique_with_a_prefix_too_long_is_explained(self):
        result = run("create", "--unique", "/" + "p" + "x" * 240)
        self.assertFailure(result, "prefix", "at most 239")
        self.assertEqual(result.stdout, b"")

    def test_beyond_system_limits_is_explained_in_the_tools_words(self):
        name = self.unused_name()
        too_many = limits()["msg_max"] + 1
        result = run("create", name, "--max-messages", str(too_many))
        if result.returncode == 0:
            self.skipTest("this process has CAP_SYS_RESOURCE: msg_max does not bind it")
        self.assertFailure(result, name, f"--max-messages {too_many} exceeds", "fs.mqueue.msg_max")
        self.assertNotIn("message_size", result.stderr.decode())  # the user gave none
        self.assertToolWords(result)
        self.assertFailure(run("info", name), "no queue")

    def test_beyond_the_kernels_ceiling_is_a_usage_error_that_names_only_the_option_given(self):
        name = self.unused_name()
        result = run("create", name, "--max-messages", "1000000")
        self.assertUsageError(result, "--max-messages: '1000000' is not a whole number from 0 to 65536")
        self.assertNotIn("message_size", result.stderr.decode())
        self.assertFailure(run("info", name), "no queue")

    def test_invalid_names_are_explained(self):
        for bad, words in (("a/b", "no '/' after the first"), ("x" * 300, "longer than"),
                           ("", "at least one character")):
            with self.subTest(name=bad[:20]):
                result = run("create", bad)
                self.assertFailure(result, words)
                self.assertToolWords(result)

    def test_exclusive_on_an_existing_queue_speaks_of_options_and_commands(self):
        name = self.queue()
        result = run("create", name, "--exclusive")
        self.assertFailure(result, name, "--exclusive", "'pmq unlink'")
        self.assertToolWords(result)

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

    def test_priority_at_or_beyond_prio_max_is_a_usage_error_with_the_range(self):
        name = self.queue()
        prio_max = limits()["prio_max"]
        for value in (prio_max, 4294967296):
            with self.subTest(priority=value):
                self.assertUsageError(run("send", name, "--priority", str(value), "m"),
                                      f"--priority: '{value}' is not a whole number from 0 to {prio_max - 1}",
                                      "prio_max")
        self.assertEqual(self.info(name)["current_messages"], 0)
        self.assertEqual(run("send", name, "--priority", str(prio_max - 1), "m").returncode, 0)

    def test_malformed_priority_is_a_usage_error_and_sends_nothing(self):
        name = self.queue()
        for bad in ("-1", "high", "99999999999999"):
            with self.subTest(priority=bad):
                self.assertUsageError(run("send", name, "--priority", bad, "m"), "--priority")
        self.assertEqual(self.info(name)["current_messages"], 0)

    def test_message_larger_than_message_size_is_explained(self):
        name = self.queue("--message-size", "8")
        result = run("send", name, "123456789")
        self.assertFailure(result, name, "9 bytes", "a larger --message-size")
        self.assertToolWords(result)
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
        result = run("send", self.unused_name(), "m")
        self.assertFailure(result, "no queue", "'pmq create'")
        self.assertToolWords(result)


class Numbers(CliTestCase):
    """One rule for every numeric option: a whole number within its range, or a
    usage error naming the option, the value as typed and the range."""

    def check_range(self, command, option, low, high, *extra, why=""):
        name = self.queue() if command != "create" else None
        for value in ("-1" if low == 0 else str(low - 1), str(high + 1), "18446744073709551616",
                      "99999999999999999999", "1.5", "0x10", "", " 7"):
            with self.subTest(option=option, value=value):
                target = name if name else self.unused_name()
                result = run(command, target, option, value, *extra)
                self.assertUsageError(result, f"{option}: '{value}' is not a whole number from {low} to {high}",
                                      why)
                if command == "create":
                    self.assertFailure(run("info", target), "no queue")
                else:
                    self.assertEqual(self.info(name)["current_messages"], 0)

    def test_count(self):
        self.check_range("recv", "--count", 1, 18446744073709551615, "--nonblock")

    def test_largest_count_is_taken(self):
        name = self.queue()
        result = run("recv", name, "--count", "18446744073709551615", "--nonblock")
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertIn("0 of 18446744073709551615 messages", result.stderr.decode())

    def test_recv_timeout(self):
        self.check_range("recv", "--timeout", 0, 2147483647)

    def test_send_timeout(self):
        self.check_range("send", "--timeout", 0, 2147483647, "m")

    def test_largest_timeout_is_taken(self):
        name = self.queue()
        self.assertEqual(run("send", name, "--timeout", "2147483647", "m").returncode, 0)
        self.assertEqual(run("recv", name, "--timeout", "2147483647").stdout, b"m\n")

    def test_priority(self):
        self.check_range("send", "--priority", 0, limits()["prio_max"] - 1, "m",
                         why="prio_max - 1 on this system; see 'pmq limits'")

    def test_max_messages(self):
        self.check_range("create", "--max-messages", 0, 65536, why="CAP_SYS_RESOURCE")

    def test_message_size(self):
        self.check_range("create", "--message-size", 0, 16777216, why="CAP_SYS_RESOURCE")


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
        result = run("recv", self.unused_name(), "--nonblock")
        self.assertFailure(result, "no queue", "'pmq create'")
        self.assertToolWords(result)

    def messages_left(self, name):
        result = run("recv", name, "--follow", "--nonblock", "--format", "json")
        return [(m["priority"], m["text"]) for m in map(json.loads, result.stdout.decode().splitlines())]

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_a_message_that_cannot_be_written_is_put_back_at_its_priority(self):
        name = self.filled((5, "urgent"), (0, "b"), (0, "c"))
        for args in (["--count", "3"], ["--follow"]):
            with self.subTest(args=args), open("/dev/full", "wb") as full:
                result = subprocess.run([PMQ, "recv", name, *args], stdout=full,
                                        stderr=subprocess.PIPE, timeout=20)
                self.assertFailure(result, "cannot write to standard output", "No space left",
                                   "after 0 messages", "put back at its priority, 5")
                self.assertEqual(self.info(name)["current_messages"], 3)
        self.assertEqual(self.messages_left(name), [(5, "urgent"), (0, "b"), (0, "c")])

    def start_reader_that_goes_away(self, name, *args):
        """pmq recv writing into a pipe whose reader reads one line and closes it."""
        receiver = subprocess.Popen([PMQ, "recv", name, *args], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        self.addCleanup(receiver.kill)
        self.addCleanup(receiver.stderr.close)
        self.assertEqual(self.read_line(receiver), b"first\n")
        receiver.stdout.close()  # the reader goes away
        return receiver

    def test_a_reader_that_goes_away_stops_count_and_loses_no_message(self):
        name = self.filled((0, "first"))
        receiver = self.start_reader_that_goes_away(name, "--count", "5")
        # Sent after the reader left: none of them may be taken.
        self.assertEqual(run("send", name, "m2", "m3", "m4").returncode, 0)
        receiver.wait(timeout=10)
        err = receiver.stderr.read().decode()
        self.assertEqual(receiver.returncode, 1, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("standard output was closed", err)
        self.assertIn("after 1 message", err)
        self.assertEqual(self.messages_left(name), [(0, "m2"), (0, "m3"), (0, "m4")])

    def test_a_reader_that_goes_away_stops_follow_at_once(self):
        name = self.filled((0, "first"))
        receiver = self.start_reader_that_goes_away(name, "--follow")
        receiver.wait(timeout=10)  # no message needed to notice
        err = receiver.stderr.read().decode()
        self.assertEqual(receiver.returncode, 1, err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("standard output was closed", err)
        run("send", name, "later")
        self.assertEqual(self.messages_left(name), [(0, "later")])

    def test_a_closed_output_takes_nothing(self):
        name = self.filled((0, "kept"))
        result = subprocess.run([PMQ, "recv", name], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                close_fds=True, pass_fds=(), timeout=20,
                                preexec_fn=lambda: os.close(1))
        self.assertFailure(result, "cannot write to standard output", "put back")
        self.assertEqual(self.messages_left(name), [(0, "kept")])

    def test_a_shell_pipeline_into_head_loses_no_message(self):
        name = self.filled(*[(0, f"m{i}") for i in range(5)])
        shell = subprocess.run(["sh", "-c", '"$0" recv "$1" --count 5 | head -c1', PMQ, name],
                               capture_output=True, timeout=20)
        self.assertEqual((shell.returncode, shell.stdout), (0, b"m"), shell.stderr)
        # Whatever reached the pipe before head left is gone with the pipe;
        # the rest is still queued, and pmq said how many it wrote.
        left = len(self.messages_left(name))
        err = shell.stderr.decode()
        if left:
            self.assertRegex(err, rf"stopped after {5 - left} message")


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
        self.assertEqual(self.info(name), {"name": name, "name_hex": name.encode().hex(),
                                           "max_messages": 4, "message_size": 32,
                                           "current_messages": 0})

    def test_info_json_gives_any_name_losslessly(self):
        for tail in (b"\xff\xfe", b"caf\xc3\xa9", b"\xc3", b"\xed\xa0\x80", b"tab\there \"q\""):
            with self.subTest(tail=tail):
                name = unique_name("utf").encode() + tail
                self.addCleanup(_mq_unlink, name)
                created = run("create", name)
                self.assertEqual(created.returncode, 0, created.stderr)
                result = run("info", name, "--json")
                self.assertEqual(result.returncode, 0, result.stderr)
                attr = json.loads(result.stdout)
                self.assertEqual(bytes.fromhex(attr["name_hex"]), name)
                try:
                    self.assertEqual(attr["name"], name.decode("utf-8"))
                except UnicodeDecodeError:
                    self.assertIsNone(attr["name"])
                # The text form writes the name byte for byte.
                self.assertIn(b"name: " + name + b"\n", run("info", name).stdout)
                # Gone before the next one: five default-sized queues at once
                # are half of RLIMIT_MSGQUEUE, which every test running beside
                # this one shares.
                _mq_unlink(name)

    def test_info_on_missing_queue(self):
        result = run("info", self.unused_name())
        self.assertFailure(result, "no queue", "'pmq create'")
        self.assertToolWords(result)
        result = run("info", "a/b")
        self.assertFailure(result, "/a/b", "no '/' after the first")
        self.assertToolWords(result)

    def test_unlink_removes_every_name(self):
        a, b = self.queue(), self.queue()
        result = run("unlink", a, b)
        self.assertEqual((result.returncode, result.stderr), (0, b""))
        self.assertFailure(run("info", a), "no queue")
        self.assertFailure(run("info", b), "no queue")

    def test_unlink_goes_on_after_a_failure_and_exits_1(self):
        missing, present = self.unused_name(), self.queue()
        result = run("unlink", missing, present)
        self.assertFailure(result, missing, "unlinked already")
        self.assertToolWords(result)
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
                result = self.as_nobody(*args)
                self.assertFailure(result, name, "may not open" if args[0] != "unlink" else "owner")
                self.assertToolWords(result)
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

    def test_json_lists_names_that_are_not_utf8_losslessly(self):
        result = self.in_namespace(
            '"$PMQ" create "$(printf \'/caf\\303\\251\')"\n'
            '"$PMQ" create "$(printf \'/bad\\377name\')"\n'
            '"$PMQ" create /plain\n'
            '"$PMQ" ls --json')
        self.assertEqual(result.returncode, 0, result.stderr)
        queues = json.loads(result.stdout)
        self.assertEqual([bytes.fromhex(q["name_hex"]) for q in queues],
                         [b"/bad\xffname", b"/caf\xc3\xa9", b"/plain"])
        self.assertEqual([q["name"] for q in queues], [None, "/café", "/plain"])
        self.assertTrue(all(q["max_messages"] is not None for q in queues))
        # The table still lists it, byte for byte.
        table = self.in_namespace('"$PMQ" create "$(printf \'/bad\\377name\')"\n"$PMQ" ls')
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn(b"/bad\xffname ", table.stdout)

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
