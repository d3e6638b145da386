"""libpmq 1.1 through Queue: adopt() a descriptor opened elsewhere, and
create_unique() a private queue."""

import ctypes
import ctypes.util
import os
import unittest

from queue_test_case import QueueTestCase, unlink_if_present

import pmq


def mq_open(name, flags):
    """A raw message-queue descriptor, as another program would pass one."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.mq_open.argtypes, libc.mq_open.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_int
    fd = libc.mq_open(os.fsencode(name), flags)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "mq_open")
    return fd


class AdoptTest(QueueTestCase):
    def test_the_queue_owns_the_descriptor(self):
        queue = self.new_queue()
        fd = mq_open(queue.name, os.O_RDONLY)
        adopted = pmq.Queue.adopt(fd, name=queue.name)
        self.assertEqual(adopted.fileno(), fd)
        self.assertEqual(adopted.name, queue.name)
        queue.send(b"through the adopted descriptor", 4)
        self.assertEqual(adopted.receive(timeout=1), (b"through the adopted descriptor", 4))
        with self.assertRaises(pmq.WrongDirection):  # O_RDONLY: read only
            adopted.send(b"x")
        adopted.close()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_without_a_name(self):
        queue = self.new_queue()
        with pmq.Queue.adopt(mq_open(queue.name, os.O_RDWR)) as adopted:
            self.assertEqual(adopted.name, "")
            adopted.send(b"x")
            self.assertEqual(adopted.receive(timeout=0).data, b"x")

    def test_not_a_queue_is_refused_and_left_open(self):
        read_end, write_end = os.pipe()
        self.addCleanup(os.close, read_end)
        self.addCleanup(os.close, write_end)
        with self.assertRaises(pmq.InvalidArgument) as caught:
            pmq.Queue.adopt(read_end)
        self.assertTrue(str(caught.exception))
        os.fstat(read_end)  # untouched
        with self.assertRaises(TypeError):
            pmq.Queue.adopt("3")
        with self.assertRaises(pmq.InvalidArgument):
            pmq.Queue.adopt(-1)


class CreateUniqueTest(QueueTestCase):
    def test_two_queues_get_two_fresh_names(self):
        prefix = "/pmqtest-py-unique-%d-" % os.getpid()
        first = pmq.Queue.create_unique(prefix, max_messages=2, message_size=64)
        self.addCleanup(unlink_if_present, first.name)
        self.addCleanup(first.close)
        second = pmq.Queue.create_unique(prefix)
        self.addCleanup(unlink_if_present, second.name)
        self.addCleanup(second.close)
        self.assertNotEqual(first.name, second.name)
        for queue in (first, second):
            self.assertTrue(queue.name.startswith(prefix))
            self.assertEqual(len(queue.name), len(prefix) + 16)
        self.assertEqual(first.attributes[:2], (2, 64))
        with pmq.Queue.open(first.name) as other:
            other.send(b"reply")
        self.assertEqual(first.receive(timeout=1).data, b"reply")

    def test_a_prefix_without_room_is_a_bad_name(self):
        name_max = pmq.limits().name_max
        with self.assertRaises(pmq.InvalidName):
            pmq.Queue.create_unique("/" + "x" * name_max)
        with self.assertRaises(pmq.InvalidName):
            pmq.Queue.create_unique("no-slash")


if __name__ == "__main__":
    unittest.main()
