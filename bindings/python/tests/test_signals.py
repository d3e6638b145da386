"""A signal during a wait: the Python handler runs at once; if it raises, the
call ends with that exception; if not, the call goes on waiting (a timed call
only for the time that is left), as Python's own I/O does (PEP 475)."""

import signal
import threading
import time
import unittest

from queue_test_case import QueueTestCase

import pmq


class HandlerRaised(Exception):
    pass


class SignalsTest(QueueTestCase):
    def setUp(self):
        self.signals = 0
        previous = signal.getsignal(signal.SIGALRM)
        self.addCleanup(signal.signal, signal.SIGALRM, previous)
        self.addCleanup(signal.setitimer, signal.ITIMER_REAL, 0)

    def alarm(self, after, every=0.0, raising=False, give_up_after=200):
        def handler(signo, frame):
            self.signals += 1
            # A wait that restarted from scratch after each signal would never
            # end; stop it, so that the test fails instead of hanging.
            if raising or self.signals >= give_up_after:
                raise HandlerRaised("signal %d" % self.signals)
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, after, every)

    def later(self, seconds, function):
        """Runs function in a thread after `seconds`: it ends a wait that the
        code under test failed to end, so a broken build fails, not hangs."""
        timer = threading.Timer(seconds, function)
        # The thread inherits a mask without SIGALRM: the signal must reach
        # the main thread, the one waiting.
        unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        try:
            timer.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        self.addCleanup(timer.join)
        self.addCleanup(timer.cancel)

    def test_a_raising_handler_ends_a_blocked_receive(self):
        queue = self.new_queue()
        self.later(5, lambda: queue.send(b"rescue"))
        self.alarm(0.05, raising=True)
        start = time.monotonic()
        with self.assertRaises(HandlerRaised):
            queue.receive()
        self.assertLess(time.monotonic() - start, 2.5)  # raised in the wait, not after it
        self.assertEqual(self.signals, 1)

    def test_a_raising_handler_ends_a_blocked_timed_receive(self):
        queue = self.new_queue()
        self.alarm(0.05, raising=True)
        start = time.monotonic()
        with self.assertRaises(HandlerRaised):
            queue.receive(timeout=5)
        self.assertLess(time.monotonic() - start, 2.5)

    def test_a_raising_handler_ends_a_blocked_send(self):
        queue = self.new_queue(max_messages=1)
        queue.send(b"fills it")
        with pmq.Queue.open(queue.name) as rescuer:
            self.later(5, rescuer.receive)
            self.alarm(0.05, raising=True)
            start = time.monotonic()
            with self.assertRaises(HandlerRaised):
                queue.send(b"blocked")
            self.assertLess(time.monotonic() - start, 2.5)

    def test_ctrl_c_stops_a_blocked_receive_with_keyboard_interrupt(self):
        queue = self.new_queue()
        self.addCleanup(signal.signal, signal.SIGINT, signal.getsignal(signal.SIGINT))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        main = threading.main_thread().ident
        self.later(0.05, lambda: signal.pthread_kill(main, signal.SIGINT))
        self.later(5, lambda: queue.send(b"rescue"))
        start = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            queue.receive()
        self.assertLess(time.monotonic() - start, 2.5)

    def test_a_quiet_handler_lets_receive_go_on_waiting(self):
        queue = self.new_queue()
        with pmq.Queue.open(queue.name) as sender:
            self.later(0.5, lambda: sender.send(b"worth the wait", 3))
            self.alarm(0.02, every=0.02)
            message = queue.receive()
            signals_during_the_wait = self.signals
        self.assertEqual(message, (b"worth the wait", 3))
        self.assertGreater(signals_during_the_wait, 5)

    def test_a_quiet_handler_lets_send_go_on_waiting(self):
        queue = self.new_queue(max_messages=1)
        queue.send(b"fills it")
        with pmq.Queue.open(queue.name) as receiver:
            self.later(0.5, receiver.receive)
            self.alarm(0.02, every=0.02)
            queue.send(b"second", timeout=30)
            signals_during_the_wait = self.signals
        self.assertGreater(signals_during_the_wait, 5)
        self.assertEqual(queue.receive(timeout=0).data, b"second")

    def test_a_timed_wait_keeps_its_deadline_across_signals(self):
        queue = self.new_queue()
        self.alarm(0.02, every=0.02)
        start = time.monotonic()
        with self.assertRaises(pmq.Timeout) as caught:
            queue.receive(timeout=0.5)
        elapsed = time.monotonic() - start
        # Explained with the timeout asked for, not the time the last retry had left.
        self.assertIn("for the whole timeout of 0.5 s", str(caught.exception))
        self.assertGreater(self.signals, 5)
        self.assertGreaterEqual(elapsed, 0.5)  # not cut short by an interruption
        self.assertLess(elapsed, 3.0)          # nor restarted from scratch each time


if __name__ == "__main__":
    unittest.main()
