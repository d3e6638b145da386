"""Queue.notify(callback) and notify_signal(signum): one-shot, on the queue
going from empty to non-empty; cancelled with None / 0; what a callback
raises goes to sys.unraisablehook; pmq.Busy when another handle holds it."""

import os
import signal
import sys
import threading
import unittest

from queue_test_case import QueueTestCase

import pmq

WAIT = 10  # seconds a test waits for something that should happen at once


class NotifyTest(QueueTestCase):
    def test_the_callback_gets_the_queue_on_a_libpmq_thread(self):
        queue = self.new_queue()
        called = threading.Event()
        seen = []

        def callback(q):
            seen.append((q, threading.get_ident()))
            called.set()
        queue.notify(callback)
        queue.send(b"wakes it")
        self.assertTrue(called.wait(WAIT))
        self.assertIs(seen[0][0], queue)
        self.assertNotEqual(seen[0][1], threading.get_ident())
        self.assertEqual(queue.receive(timeout=0).data, b"wakes it")

    def test_it_is_one_shot_and_may_register_again_inside(self):
        queue = self.new_queue()
        calls = []
        second = threading.Event()

        def callback(q):
            calls.append(q.receive(timeout=0).data)
            if len(calls) == 1:
                q.notify(callback)
            else:
                second.set()
        queue.notify(callback)
        queue.send(b"one")
        for _ in range(100):  # until the first callback has taken "one"
            if calls:
                break
            threading.Event().wait(0.05)
        queue.send(b"two")
        self.assertTrue(second.wait(WAIT))
        queue.send(b"three")  # nobody registered: nothing is called
        threading.Event().wait(0.2)
        self.assertEqual(calls, [b"one", b"two"])

    def test_none_cancels(self):
        queue = self.new_queue()
        called = threading.Event()
        queue.notify(lambda q: called.set())
        queue.notify(None)
        queue.send(b"nobody is told")
        self.assertFalse(called.wait(0.3))
        queue.notify(None)  # nothing registered: harmless

    def test_a_raising_callback_goes_to_unraisablehook(self):
        queue = self.new_queue()
        reported = []
        done = threading.Event()

        def hook(unraisable):
            reported.append(unraisable.exc_value)
            done.set()
        previous, sys.unraisablehook = sys.unraisablehook, hook
        self.addCleanup(setattr, sys, "unraisablehook", previous)

        def callback(q):
            raise ValueError("from the callback")
        queue.notify(callback)
        queue.send(b"x")
        self.assertTrue(done.wait(WAIT))
        self.assertIsInstance(reported[0], ValueError)
        self.assertEqual(str(reported[0]), "from the callback")
        # The process, and notification, go on.
        ok = threading.Event()
        queue.receive(timeout=0)
        queue.notify(lambda q: ok.set())
        queue.send(b"y")
        self.assertTrue(ok.wait(WAIT))

    def test_another_handle_holding_it_is_busy(self):
        queue = self.new_queue()
        queue.notify(lambda q: None)
        with pmq.Queue.open(queue.name) as other:
            with self.assertRaises(pmq.Busy) as caught:
                other.notify(lambda q: None)
            self.assertIsInstance(caught.exception, OSError)
            self.assertEqual(caught.exception.code, pmq.Code.EBUSY)
            self.assertIn(queue.name, str(caught.exception))
            with self.assertRaises(pmq.Busy):
                other.notify_signal(signal.SIGUSR1)
        queue.notify(None)

    def test_a_callback_must_be_callable(self):
        queue = self.new_queue()
        with self.assertRaisesRegex(TypeError, "callable"):
            queue.notify(42)

    def test_close_ends_the_registration(self):
        name = self.new_name()
        queue = pmq.Queue.create(name, exclusive=True)
        called = threading.Event()
        queue.notify(lambda q: called.set())
        queue.close()
        with pmq.Queue.open(name) as other:
            other.notify(lambda q: None)  # not busy: the closed handle let go
            other.notify(None)
            other.send(b"x")
        self.assertFalse(called.wait(0.3))

    def test_closed_queue(self):
        queue = self.new_queue()
        queue.close()
        with self.assertRaisesRegex(pmq.Error, "closed"):
            queue.notify(lambda q: None)
        with self.assertRaisesRegex(pmq.Error, "closed"):
            queue.notify_signal(0)


class NotifySignalTest(QueueTestCase):
    def setUp(self):
        self.received = []
        previous = signal.signal(signal.SIGUSR1, lambda signo, frame: self.received.append(signo))
        self.addCleanup(signal.signal, signal.SIGUSR1, previous)

    def test_the_signal_arrives_once(self):
        queue = self.new_queue()
        queue.notify_signal(signal.SIGUSR1)
        queue.send(b"one")
        for _ in range(100):
            if self.received:
                break
            threading.Event().wait(0.02)
        self.assertEqual(self.received, [signal.SIGUSR1])
        queue.receive(timeout=0)
        queue.send(b"two")  # one-shot: no second signal
        threading.Event().wait(0.2)
        self.assertEqual(self.received, [signal.SIGUSR1])

    def test_zero_cancels(self):
        queue = self.new_queue()
        queue.notify_signal(signal.SIGUSR1)
        queue.notify_signal(0)
        queue.send(b"x")
        threading.Event().wait(0.2)
        self.assertEqual(self.received, [])

    def test_a_bad_signal_number_is_explained(self):
        queue = self.new_queue()
        with self.assertRaises(pmq.InvalidArgument) as caught:
            queue.notify_signal(1000)
        self.assertIn("1000", str(caught.exception))
        with self.assertRaisesRegex(TypeError, "signum"):
            queue.notify_signal("SIGUSR1")

    def test_it_replaces_a_callback(self):
        queue = self.new_queue()
        called = threading.Event()
        queue.notify(lambda q: called.set())
        queue.notify_signal(signal.SIGUSR1)
        queue.send(b"x")
        for _ in range(100):
            if self.received:
                break
            threading.Event().wait(0.02)
        self.assertEqual(self.received, [signal.SIGUSR1])
        self.assertFalse(called.is_set())


if __name__ == "__main__":
    unittest.main()
