"""pmq.Queue and the module functions, used as a program would use them."""

import gc
import os
import unittest

import pmq
from queue_test_case import QueueTestCase


class ModuleFunctionsTest(unittest.TestCase):
    def test_supported_on_linux(self):
        self.assertIs(pmq.supported(), True)

    def test_version_is_the_librarys(self):
        version = pmq.version()
        parts = version.split(".")
        self.assertEqual(len(parts), 3, version)
        self.assertTrue(all(part.isdigit() for part in parts), version)

    def test_limits_are_named_and_plausible(self):
        limits = pmq.limits()
        self.assertIsInstance(limits, pmq.Limits)
        self.assertEqual(limits._fields, (
            "prio_max", "name_max", "msg_max", "msgsize_max", "msg_default",
            "msgsize_default", "queues_max", "rlimit_msgqueue"))
        self.assertEqual(limits.prio_max, 32768)  # Linux's MQ_PRIO_MAX
        self.assertEqual(limits.name_max, 255)
        self.assertGreaterEqual(limits.msg_max, 1)
        self.assertGreaterEqual(limits.msgsize_max, 128)
        self.assertLessEqual(limits.msg_default, limits.msg_max)


class CreateAndOpenTest(QueueTestCase):
    def test_create_sets_the_attributes_asked_for(self):
        queue = self.new_queue(max_messages=3, message_size=100)
        self.assertEqual(queue.attributes,
                         pmq.Attributes(max_messages=3, message_size=100, current_messages=0,
                                        nonblocking=False))

    def test_zero_sizes_mean_the_system_defaults(self):
        limits = pmq.limits()
        attributes = self.new_queue().attributes
        self.assertEqual(attributes.max_messages, limits.msg_default)
        self.assertEqual(attributes.message_size, limits.msgsize_default)

    def test_open_reaches_the_same_queue(self):
        writer = self.new_queue(read=False)
        with pmq.Queue.open(writer.name, write=False) as reader:
            writer.send(b"across handles", priority=7)
            self.assertEqual(reader.receive(timeout=5), (b"across handles", 7))

    def test_create_without_exclusive_opens_an_existing_queue_as_it_is(self):
        first = self.new_queue(max_messages=2, message_size=50)
        first.send(b"kept")
        with pmq.Queue.create(first.name, max_messages=5, message_size=500) as second:
            self.assertEqual(second.attributes.max_messages, 2)
            self.assertEqual(second.attributes.message_size, 50)
            self.assertEqual(second.receive(timeout=0), (b"kept", 0))

    def test_mode_is_applied(self):
        # The mode only shows through permissions; a mode of 0 means 0o600
        # and must still let the owner open the queue both ways.
        queue = self.new_queue(mode=0)
        pmq.Queue.open(queue.name).close()

    def test_name_is_the_one_given_and_bytes_names_work(self):
        name = self.new_name()
        with pmq.Queue.create(name.encode()) as queue:
            self.assertEqual(queue.name, name)
            self.assertIn(name, repr(queue))

    def test_unlink_removes_the_name_but_open_handles_keep_working(self):
        queue = self.new_queue()
        pmq.unlink(queue.name)
        with self.assertRaises(pmq.NotFound):
            pmq.Queue.open(queue.name)
        queue.send(b"still here")
        self.assertEqual(queue.receive(timeout=0).data, b"still here")


class MessagesTest(QueueTestCase):
    def test_highest_priority_first_then_oldest_first(self):
        queue = self.new_queue(max_messages=6, message_size=16)
        for data, priority in [(b"a", 1), (b"b", 5), (b"c", 1), (b"d", 0), (b"e", 5),
                               (b"f", 32767)]:
            queue.send(data, priority=priority)
        received = [queue.receive(timeout=0) for _ in range(6)]
        self.assertEqual(received, [(b"f", 32767), (b"b", 5), (b"e", 5), (b"a", 1),
                                    (b"c", 1), (b"d", 0)])

    def test_receive_returns_a_message_tuple(self):
        queue = self.new_queue()
        queue.send(b"x", 2)
        message = queue.receive()
        self.assertIsInstance(message, pmq.Message)
        self.assertEqual((message.data, message.priority), (b"x", 2))
        self.assertIs(type(message.data), bytes)

    def test_bytes_bytearray_memoryview_and_other_buffers_are_sent(self):
        import array
        queue = self.new_queue(message_size=64)
        numbers = array.array("i", [1, 2, 3])
        for data in [b"bytes", bytearray(b"bytearray"), memoryview(b"xmemoryviewx")[1:-1],
                     numbers]:
            queue.send(data)
        self.assertEqual(queue.receive().data, b"bytes")
        self.assertEqual(queue.receive().data, b"bytearray")
        self.assertEqual(queue.receive().data, b"memoryview")
        self.assertEqual(queue.receive().data, numbers.tobytes())

    def test_empty_and_full_size_messages(self):
        queue = self.new_queue(message_size=128)
        full = bytes(range(128))
        queue.send(b"")
        queue.send(full)
        self.assertEqual(queue.receive().data, b"")
        self.assertEqual(queue.receive().data, full)

    def test_current_messages_counts(self):
        queue = self.new_queue(max_messages=4)
        queue.send(b"1")
        queue.send(b"2")
        self.assertEqual(queue.attributes.current_messages, 2)
        queue.receive()
        self.assertEqual(queue.attributes.current_messages, 1)

    def test_timeouts_return_at_once_when_ready(self):
        queue = self.new_queue(max_messages=1)
        queue.send(b"x", timeout=0)
        self.assertEqual(queue.receive(timeout=0).data, b"x")
        queue.send(b"y", timeout=10)
        self.assertEqual(queue.receive(timeout=10.0).data, b"y")


class NonblockingTest(QueueTestCase):
    def test_created_nonblocking(self):
        queue = self.new_queue(nonblocking=True)
        self.assertTrue(queue.nonblocking)
        self.assertTrue(queue.attributes.nonblocking)
        with self.assertRaises(pmq.WouldBlock):
            queue.receive()

    def test_opened_nonblocking(self):
        name = self.new_queue().name
        with pmq.Queue.open(name, nonblocking=True) as queue:
            self.assertTrue(queue.nonblocking)

    def test_setting_it_switches_the_handle(self):
        queue = self.new_queue(max_messages=1)
        self.assertFalse(queue.nonblocking)
        queue.nonblocking = True
        self.assertTrue(queue.nonblocking)
        with self.assertRaises(pmq.WouldBlock):
            queue.receive()
        queue.send(b"x")
        with self.assertRaises(pmq.WouldBlock):
            queue.send(b"full")
        queue.nonblocking = False
        self.assertFalse(queue.attributes.nonblocking)
        with self.assertRaises(pmq.Timeout):  # waits now, so it times out
            queue.send(b"full", timeout=0.01)


class ClosingTest(QueueTestCase):
    def test_context_manager_closes(self):
        name = self.new_name()
        with pmq.Queue.create(name) as queue:
            self.assertFalse(queue.closed)
        self.assertTrue(queue.closed)
        self.assertIn("closed", repr(queue))

    def test_close_twice_is_harmless(self):
        queue = self.new_queue()
        queue.close()
        queue.close()
        self.assertTrue(queue.closed)

    def test_close_releases_the_descriptor(self):
        queue = self.new_queue()
        fd = queue.fileno()
        os.fstat(fd)
        queue.close()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_garbage_collection_closes_with_a_resource_warning(self):
        queue = pmq.Queue.create(self.new_name())
        fd = queue.fileno()
        with self.assertWarnsRegex(ResourceWarning, "unclosed"):
            del queue
            gc.collect()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_queue_cannot_be_constructed_directly(self):
        with self.assertRaisesRegex(TypeError, "Queue.create"):
            pmq.Queue("/x")


if __name__ == "__main__":
    unittest.main()
