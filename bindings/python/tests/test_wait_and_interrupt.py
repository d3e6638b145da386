"""libpmq 1.1 through Queue: wait() for a message or room without taking
it, and interrupt()/resume() to stop blocked calls with pmq.Canceled."""

import signal
import threading
import time
import unittest

from queue_test_case import QueueTestCase

import pmq


class WaitTest(QueueTestCase):
    def test_ready_at_once_takes_nothing(self):
        queue = self.new_queue(max_messages=2)
        self.assertEqual(queue.wait(write=True, timeout=0), pmq.Ready(False, True))
        queue.send(b"stays")
        self.assertEqual(queue.wait(read=True, write=True), pmq.Ready(True, True))
        self.assertEqual(queue.attributes.current_messages, 1)

    def test_waits_for_a_message(self):
        queue = self.new_queue()
        with pmq.Queue.open(queue.name) as sender:
            threading.Timer(0.1, lambda: sender.send(b"late")).start()
            self.assertEqual(queue.wait(read=True, timeout=10), pmq.Ready(True, False))
        self.assertEqual(queue.receive(timeout=0).data, b"late")

    def test_timeouts_and_would_block(self):
        queue = self.new_queue()
        with self.assertRaises(pmq.WouldBlock):
            queue.wait(read=True, timeout=0)
        with self.assertRaises(pmq.Timeout) as caught:
            queue.wait(read=True, timeout=0.05)
        self.assertIn(queue.name, str(caught.exception))
        self.assertIn("timeout of 0.05 s", str(caught.exception))

    def test_nothing_asked_for_and_the_wrong_direction(self):
        queue = self.new_queue(write=False)
        with self.assertRaisesRegex(pmq.InvalidArgument, "read=True"):
            queue.wait()
        with self.assertRaises(pmq.WrongDirection):
            queue.wait(write=True, timeout=0)

    def test_a_quiet_signal_handler_lets_it_go_on_waiting(self):
        queue = self.new_queue()
        signals = []
        previous = signal.signal(signal.SIGALRM, lambda *args: signals.append(1))
        self.addCleanup(signal.signal, signal.SIGALRM, previous)
        self.addCleanup(signal.setitimer, signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
        start = time.monotonic()
        with self.assertRaises(pmq.Timeout):
            queue.wait(read=True, timeout=0.3)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertGreater(len(signals), 3)


class InterruptTest(QueueTestCase):
    def blocked(self, call):
        """Runs call in a thread; returns the list its outcome goes to."""
        outcome = []

        def run():
            try:
                outcome.append(call())
            except Exception as error:  # the outcome under test
                outcome.append(error)
        thread = threading.Thread(target=run)
        thread.start()
        self.addCleanup(thread.join, 10)
        time.sleep(0.1)
        return outcome, thread

    def test_a_blocked_receive_send_and_wait_raise_canceled(self):
        queue = self.new_queue(max_messages=1)
        full = self.new_queue(max_messages=1)
        full.send(b"fills it")
        calls = [queue.receive, lambda: queue.receive(timeout=30),
                 lambda: queue.wait(read=True), lambda: full.send(b"x"),
                 lambda: full.send(b"x", timeout=30)]
        waiting = [self.blocked(call) for call in calls]
        queue.interrupt()
        full.interrupt()
        for outcome, thread in waiting:
            thread.join(10)
            self.assertEqual(len(outcome), 1)
            self.assertIsInstance(outcome[0], pmq.Canceled)
            self.assertEqual(outcome[0].code, pmq.Code.ECANCELED)
        self.assertEqual(full.attributes.current_messages, 1)  # nothing sent

    def test_until_resume_calls_that_would_wait_raise_at_once(self):
        queue = self.new_queue()
        queue.interrupt()
        queue.interrupt()  # twice is fine
        with self.assertRaises(pmq.Canceled):
            queue.receive()
        queue.send(b"ready")  # need not wait: works
        self.assertEqual(queue.receive().data, b"ready")
        with self.assertRaises(pmq.WouldBlock):  # timeout 0: as before
            queue.receive(timeout=0)
        queue.resume()
        with self.assertRaises(pmq.Timeout):  # waits again
            queue.receive(timeout=0.05)

    def test_other_handles_are_not_affected(self):
        queue = self.new_queue()
        with pmq.Queue.open(queue.name) as other:
            queue.interrupt()
            with self.assertRaises(pmq.Timeout):
                other.receive(timeout=0.05)


if __name__ == "__main__":
    unittest.main()
