"""The exception classes, and every way a call can fail: each failure raises
its own class, with the PMQ code and an explanation a person can act on."""

import errno
import os
import pickle
import resource
import unittest

import pmq
from pmq.errors import error_for
from queue_test_case import QueueTestCase


class ExceptionClassesTest(unittest.TestCase):
    EXPECTED = [
        # class, code, PMQ name, errno, built-in base
        (pmq.NotFound, pmq.Code.ENOENT, "PMQ_ENOENT", errno.ENOENT, FileNotFoundError),
        (pmq.Exists, pmq.Code.EEXIST, "PMQ_EEXIST", errno.EEXIST, FileExistsError),
        (pmq.PermissionDenied, pmq.Code.EACCES, "PMQ_EACCES", errno.EACCES, PermissionError),
        (pmq.WouldBlock, pmq.Code.EAGAIN, "PMQ_EAGAIN", errno.EAGAIN, BlockingIOError),
        (pmq.Timeout, pmq.Code.ETIMEDOUT, "PMQ_ETIMEDOUT", errno.ETIMEDOUT, TimeoutError),
        (pmq.LimitExceeded, pmq.Code.ELIMIT, "PMQ_ELIMIT", None, OSError),
        (pmq.MessageTooLarge, pmq.Code.EMSGSIZE, "PMQ_EMSGSIZE", errno.EMSGSIZE, OSError),
        (pmq.InvalidName, pmq.Code.ENAME, "PMQ_ENAME", errno.EINVAL, ValueError),
        (pmq.InvalidArgument, pmq.Code.EINVAL, "PMQ_EINVAL", errno.EINVAL, ValueError),
        (pmq.WrongDirection, pmq.Code.EBADF, "PMQ_EBADF", errno.EBADF, PermissionError),
        (pmq.Busy, pmq.Code.EBUSY, "PMQ_EBUSY", errno.EBUSY, OSError),
    ]

    def test_each_code_gets_its_class_code_name_errno_and_message(self):
        for cls, code, name, errno_value, builtin in self.EXPECTED:
            with self.subTest(name):
                error = error_for(code, "explained")
                self.assertIs(type(error), cls)
                self.assertIsInstance(error, pmq.Error)
                self.assertIsInstance(error, OSError)
                self.assertIsInstance(error, builtin)
                self.assertEqual(error.code, code)
                self.assertEqual(error.name, name)
                self.assertEqual(error.errno, errno_value)
                self.assertEqual(str(error), "explained")

    def test_other_codes_are_plain_errors(self):
        for code in [pmq.Code.ENOTSUP, pmq.Code.ESYS]:
            with self.subTest(code.name):
                error = error_for(code, "why")
                self.assertIs(type(error), pmq.Error)
                self.assertEqual(error.name, "PMQ_" + code.name)

    def test_an_unknown_code_keeps_its_number(self):
        error = error_for(-99, "from a newer library")
        self.assertIs(type(error), pmq.Error)
        self.assertEqual(error.code, -99)
        self.assertIsNone(error.errno)

    def test_errors_survive_pickling(self):
        error = error_for(pmq.Code.EAGAIN, "the queue is empty")
        copy = pickle.loads(pickle.dumps(error))
        self.assertIs(type(copy), pmq.WouldBlock)
        self.assertEqual((copy.code, copy.name, copy.errno, str(copy)),
                         (error.code, error.name, error.errno, str(error)))


class FailingCallsTest(QueueTestCase):
    """Each failure through the public API: class, code, and a message that
    names the queue and says what to do."""

    def assertFails(self, cls, call, *, mentions=()):
        with self.assertRaises(cls) as caught:
            call()
        message = str(caught.exception)
        for text in mentions:
            self.assertIn(text, message)
        return caught.exception

    def test_not_found(self):
        name = self.new_name()
        error = self.assertFails(pmq.NotFound, lambda: pmq.Queue.open(name), mentions=[name])
        self.assertEqual(error.code, pmq.Code.ENOENT)
        self.assertFails(pmq.NotFound, lambda: pmq.unlink(name), mentions=[name])

    def test_exists(self):
        queue = self.new_queue()
        error = self.assertFails(pmq.Exists, lambda: pmq.Queue.create(queue.name,
                                                                      exclusive=True),
                                 mentions=[queue.name])
        self.assertEqual(error.name, "PMQ_EEXIST")

    def test_invalid_names(self):
        for name in ["no-slash", "/a/b", "", "/", "/" + "n" * 256, "/nul\0inside",
                     b"/bytes\0nul"]:
            with self.subTest(name=name):
                error = self.assertFails(pmq.InvalidName, lambda: pmq.Queue.create(name))
                self.assertEqual(error.code, pmq.Code.ENAME)
                self.assertTrue(str(error))
                self.assertFails(pmq.InvalidName, lambda: pmq.unlink(name))

    def test_a_name_must_be_a_string(self):
        with self.assertRaisesRegex(TypeError, "'/jobs'"):
            pmq.Queue.open(42)

    def test_neither_read_nor_write(self):
        name = self.new_name()
        self.assertFails(pmq.InvalidArgument,
                         lambda: pmq.Queue.create(name, read=False, write=False),
                         mentions=["read and write"])
        self.assertFails(pmq.InvalidArgument,
                         lambda: pmq.Queue.open(name, read=False, write=False))

    def test_sizes_and_mode_out_of_range(self):
        name = self.new_name()
        for options in [dict(max_messages=-1), dict(message_size=-5), dict(mode=0o10000),
                        dict(mode=-1), dict(max_messages=2**64)]:
            with self.subTest(**options):
                error = self.assertFails(pmq.InvalidArgument,
                                         lambda: pmq.Queue.create(name, **options))
                self.assertEqual(error.code, pmq.Code.EINVAL)
        with self.assertRaises(pmq.NotFound):  # nothing was created meanwhile
            pmq.unlink(name)
        with self.assertRaisesRegex(TypeError, "max_messages"):
            pmq.Queue.create(name, max_messages=1.5)

    def test_priority_out_of_range(self):
        queue = self.new_queue()
        for priority in [pmq.limits().prio_max, -1, 2**40]:
            with self.subTest(priority=priority):
                self.assertFails(pmq.InvalidArgument, lambda: queue.send(b"x", priority),
                                 mentions=["priority"])
        with self.assertRaisesRegex(TypeError, "priority"):
            queue.send(b"x", priority="high")
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_bad_timeouts(self):
        queue = self.new_queue()
        for timeout in [-1, -0.001, float("nan")]:
            with self.subTest(timeout=timeout):
                self.assertFails(pmq.InvalidArgument, lambda: queue.receive(timeout=timeout),
                                 mentions=["timeout"])
                self.assertFails(pmq.InvalidArgument,
                                 lambda: queue.send(b"x", timeout=timeout))
        for timeout in ["1", True]:
            with self.subTest(timeout=timeout):
                with self.assertRaisesRegex(TypeError, "timeout"):
                    queue.receive(timeout=timeout)
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_str_and_other_non_bytes_messages(self):
        queue = self.new_queue()
        with self.assertRaisesRegex(TypeError, "encode it"):
            queue.send("text")
        with self.assertRaisesRegex(TypeError, "int"):
            queue.send(5)
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_message_too_large(self):
        queue = self.new_queue(message_size=16)
        error = self.assertFails(pmq.MessageTooLarge, lambda: queue.send(b"x" * 17),
                                 mentions=[queue.name, "17", "16"])
        self.assertEqual(error.errno, errno.EMSGSIZE)

    def test_would_block(self):
        queue = self.new_queue(max_messages=1, nonblocking=True)
        self.assertFails(pmq.WouldBlock, queue.receive, mentions=[queue.name, "empty"])
        queue.send(b"fills it")
        self.assertFails(pmq.WouldBlock, lambda: queue.send(b"more"),
                         mentions=[queue.name, "full"])

    def test_zero_timeout_would_block(self):
        queue = self.new_queue(max_messages=1)
        self.assertFails(pmq.WouldBlock, lambda: queue.receive(timeout=0))
        queue.send(b"fills it")
        self.assertFails(pmq.WouldBlock, lambda: queue.send(b"more", timeout=0))

    def test_timeout(self):
        queue = self.new_queue(max_messages=1)
        self.assertFails(pmq.Timeout, lambda: queue.receive(timeout=0.02),
                         mentions=[queue.name, "empty", "timeout of 0.02 s"])
        queue.send(b"fills it")
        self.assertFails(pmq.Timeout, lambda: queue.send(b"more", timeout=0.02),
                         mentions=[queue.name, "full", "timeout of 0.02 s"])
        self.assertEqual(queue.attributes.current_messages, 1)

    def test_wrong_direction(self):
        queue = self.new_queue(read=False)
        error = self.assertFails(pmq.WrongDirection, queue.receive, mentions=[queue.name])
        self.assertEqual((error.code, error.errno), (pmq.Code.EBADF, errno.EBADF))
        with pmq.Queue.open(queue.name, write=False) as reader:
            error = self.assertFails(pmq.WrongDirection, lambda: reader.send(b"x"),
                                     mentions=[queue.name])
            self.assertEqual(error.code, pmq.Code.EBADF)

    def test_closed_queue(self):
        queue = self.new_queue()
        queue.close()
        for call in [lambda: queue.send(b"x"), queue.receive, queue.fileno,
                     lambda: queue.attributes, lambda: queue.nonblocking]:
            error = self.assertFails(pmq.Error, call, mentions=[queue.name, "closed"])
            self.assertEqual(error.code, pmq.Code.EBADF)
            self.assertNotIsInstance(error, pmq.WrongDirection)
        with self.assertRaises(pmq.Error):
            queue.nonblocking = True

    def test_limit_exceeded_by_rlimit_msgqueue(self):
        # RLIMIT_MSGQUEUE binds even root; lowering the soft limit needs no
        # privilege and is undone below.
        saved = resource.getrlimit(resource.RLIMIT_MSGQUEUE)
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (1, saved[1]))
        name = self.new_name()
        try:
            error = self.assertFails(pmq.LimitExceeded, lambda: pmq.Queue.create(name),
                                     mentions=[name])
        finally:
            resource.setrlimit(resource.RLIMIT_MSGQUEUE, saved)
        self.assertEqual(error.code, pmq.Code.ELIMIT)
        self.assertIn("RLIMIT_MSGQUEUE", str(error))

    def test_limit_exceeded_by_msg_max(self):
        limits = pmq.limits()
        name = self.new_name()
        if os.geteuid() == 0:
            # Root may have CAP_SYS_RESOURCE; the kernel's hard ceiling binds all.
            max_messages = 65537
        else:
            max_messages = limits.msg_max + 1
        error = self.assertFails(pmq.LimitExceeded,
                                 lambda: pmq.Queue.create(name, max_messages=max_messages),
                                 mentions=[name, str(max_messages)])
        self.assertEqual(error.code, pmq.Code.ELIMIT)

    def test_permission_denied(self):
        # The owner may only write; a reader is refused.  Root passes any mode
        # check, so the opening runs in a child that drops to "nobody".
        queue = self.new_queue(mode=0o222)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_fd)
                if os.geteuid() == 0:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                try:
                    pmq.Queue.open(queue.name, write=False).close()
                    report = "opened"
                except pmq.Error as error:
                    report = "%s %s %s" % (type(error).__name__, error.name, error)
                os.write(write_fd, report.encode())
            finally:
                os._exit(0)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            report = pipe.read().decode()
        os.waitpid(pid, 0)
        self.assertTrue(report.startswith("PermissionDenied PMQ_EACCES "), report)
        self.assertIn(queue.name, report)


if __name__ == "__main__":
    unittest.main()
