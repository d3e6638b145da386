"""fileno(): a queue works with selectors and asyncio (readable: a message is
waiting; writable: there is room)."""

import asyncio
import selectors
import threading
import unittest

import pmq
from queue_test_case import QueueTestCase


class SelectorsTest(QueueTestCase):
    def test_readable_when_a_message_waits(self):
        queue = self.new_queue()
        with selectors.DefaultSelector() as selector:
            selector.register(queue, selectors.EVENT_READ, data="jobs")
            self.assertEqual(selector.select(timeout=0), [])
            queue.send(b"wake up")
            ready = selector.select(timeout=5)
            self.assertEqual([(key.fileobj, key.data, events) for key, events in ready],
                             [(queue, "jobs", selectors.EVENT_READ)])
            self.assertEqual(queue.receive(timeout=0).data, b"wake up")
            self.assertEqual(selector.select(timeout=0), [])

    def test_writable_when_there_is_room(self):
        queue = self.new_queue(max_messages=1)
        with selectors.DefaultSelector() as selector:
            selector.register(queue, selectors.EVENT_WRITE)
            self.assertEqual(len(selector.select(timeout=0)), 1)
            queue.send(b"fills it")
            self.assertEqual(selector.select(timeout=0), [])
            queue.receive()
            self.assertEqual(len(selector.select(timeout=5)), 1)

    def test_fileno_is_stable_and_owned_by_the_queue(self):
        queue = self.new_queue()
        self.assertEqual(queue.fileno(), queue.fileno())
        self.assertGreaterEqual(queue.fileno(), 0)


class AsyncioTest(QueueTestCase):
    def test_event_loop_reader_receives_without_blocking(self):
        queue = self.new_queue(nonblocking=True)

        async def receive_one():
            loop = asyncio.get_running_loop()
            arrived = loop.create_future()

            def on_readable():
                try:
                    arrived.set_result(queue.receive())
                except pmq.WouldBlock:  # someone else was faster: wait on
                    pass
            loop.add_reader(queue, on_readable)
            try:
                # Sent from another thread while the loop waits in epoll.
                with pmq.Queue.open(queue.name, read=False) as sender:
                    threading.Timer(0.05, lambda: sender.send(b"async", 4)).start()
                    return await asyncio.wait_for(arrived, 5)
            finally:
                loop.remove_reader(queue)

        self.assertEqual(asyncio.run(receive_one()), (b"async", 4))


if __name__ == "__main__":
    unittest.main()
