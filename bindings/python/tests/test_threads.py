"""Threads: a blocked call releases the GIL, one queue serves many threads,
and closing a queue another thread waits on is safe."""

import os
import threading
import time
import unittest

import pmq
from queue_test_case import QueueTestCase


class ThreadsTest(QueueTestCase):
    def test_a_blocked_receive_lets_other_threads_run(self):
        queue = self.new_queue()
        outcome = []
        # If receive() held the GIL, nothing below would run until its 10 s
        # timeout ended, and the receiver would no longer be alive.
        receiver = threading.Thread(target=lambda: outcome.append(queue.receive(timeout=10)))
        receiver.start()
        self.addCleanup(receiver.join)
        time.sleep(0.1)  # let it block

        counted = []
        counter = threading.Thread(target=lambda: counted.append(sum(range(200000))))
        counter.start()
        counter.join(5)
        self.assertEqual(counted, [sum(range(200000))])
        self.assertTrue(receiver.is_alive(), "receive() did not wait")

        with pmq.Queue.open(queue.name) as sender:
            sender.send(b"done")
        receiver.join(5)
        self.assertEqual(outcome, [(b"done", 0)])

    def test_many_threads_share_one_queue(self):
        queue = self.new_queue(max_messages=4, message_size=32)
        receivers, per_receiver = 4, 50
        received = []
        lock = threading.Lock()

        def receive_some():
            for _ in range(per_receiver):
                data = queue.receive(timeout=10).data
                with lock:
                    received.append(data)

        threads = [threading.Thread(target=receive_some) for _ in range(receivers)]
        for thread in threads:
            thread.start()
        sent = [b"message %d" % i for i in range(receivers * per_receiver)]
        senders = [threading.Thread(target=lambda part=sent[i::2]: [queue.send(m, timeout=10)
                                                                   for m in part])
                   for i in range(2)]
        for thread in senders:
            thread.start()
        for thread in senders + threads:
            thread.join(30)
        self.assertEqual(sorted(received), sorted(sent))  # each exactly once

    def test_close_while_another_thread_waits(self):
        queue = self.new_queue()
        fd = queue.fileno()
        outcome = []
        receiver = threading.Thread(target=lambda: outcome.append(queue.receive(timeout=10)))
        receiver.start()
        self.addCleanup(receiver.join)
        time.sleep(0.1)

        queue.close()  # must not pull the handle from under the waiting call
        self.assertTrue(queue.closed)
        with self.assertRaises(pmq.Error):
            queue.send(b"refused: closed")
        os.fstat(fd)  # still open: the receiver uses it
        with pmq.Queue.open(queue.name) as sender:
            sender.send(b"for the waiter")
        receiver.join(5)
        self.assertEqual(outcome, [(b"for the waiter", 0)])
        with self.assertRaises(OSError):  # the last user closed it
            os.fstat(fd)

    def test_close_in_a_child_forked_while_another_thread_waits(self):
        queue = self.new_queue()
        fd = queue.fileno()
        receiver = threading.Thread(target=lambda: queue.receive(timeout=10))
        receiver.start()
        time.sleep(0.1)  # the receiver is inside a call at fork time
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: only this thread; the receiver is the parent's
            try:
                queue.close()
                try:
                    os.fstat(fd)
                    verdict = b"still open"
                except OSError:
                    verdict = b"closed"
                os.write(write_end, verdict)
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            verdict = pipe.read()
        os.waitpid(pid, 0)
        with pmq.Queue.open(queue.name) as sender:
            sender.send(b"for the parent's receiver")
        receiver.join(10)
        self.assertEqual(verdict, b"closed")
        os.fstat(fd)  # the parent's handle is untouched


if __name__ == "__main__":
    unittest.main()
