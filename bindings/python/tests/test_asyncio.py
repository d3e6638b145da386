"""receive_async / send_async on an asyncio loop: they wait on the loop (no
thread), many at once on one queue, and a cancelled one loses no message."""

import asyncio
import threading
import unittest

from queue_test_case import QueueTestCase

import pmq


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


class AsyncioTest(QueueTestCase):
    def test_receive_waits_on_the_loop_without_a_thread(self):
        queue = self.new_queue()

        async def main():
            threads = threading.active_count()
            task = asyncio.ensure_future(queue.receive_async())
            await asyncio.sleep(0.05)
            self.assertFalse(task.done())
            self.assertEqual(threading.active_count(), threads)
            queue.send(b"hello", 2)
            return await task
        self.assertEqual(run(main()), (b"hello", 2))

    def test_send_waits_for_room(self):
        queue = self.new_queue(max_messages=1)
        queue.send(b"fills it")

        async def main():
            task = asyncio.ensure_future(queue.send_async(b"second", 5))
            await asyncio.sleep(0.05)
            self.assertFalse(task.done())
            self.assertEqual(queue.receive(timeout=0).data, b"fills it")
            await task
            return queue.receive(timeout=0)
        self.assertEqual(run(main()), (b"second", 5))

    def test_many_receivers_and_senders_on_one_loop(self):
        queue = self.new_queue(max_messages=4)
        senders, receivers, each = 20, 25, 40
        total = senders * each
        per_receiver = total // receivers

        async def sender(index):
            for n in range(each):
                await queue.send_async(b"%d-%d" % (index, n))

        async def receiver():
            return [(await queue.receive_async()).data for _ in range(per_receiver)]

        async def main():
            tasks = [asyncio.ensure_future(receiver()) for _ in range(receivers)]
            await asyncio.gather(*(sender(i) for i in range(senders)))
            return [data for got in await asyncio.gather(*tasks) for data in got]
        received = run(main())
        expected = [b"%d-%d" % (i, n) for i in range(senders) for n in range(each)]
        self.assertEqual(len(received), total)
        self.assertEqual(sorted(received), sorted(expected))  # each exactly once
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_cancelled_receivers_lose_no_message(self):
        queue = self.new_queue(max_messages=8)
        messages = 200

        async def main():
            received = []

            async def receiver():
                while True:
                    received.append((await queue.receive_async()).data)

            async def impatient():
                # Cancelled at random points of its waits: never with a message.
                for _ in range(messages):
                    try:
                        async with asyncio.timeout(0.001):
                            received.append((await queue.receive_async()).data)
                    except TimeoutError:
                        pass
            steady = asyncio.ensure_future(receiver())
            hurried = [asyncio.ensure_future(impatient()) for _ in range(5)]
            for n in range(messages):
                await queue.send_async(b"%d" % n)
                if n % 7 == 0:
                    await asyncio.sleep(0.001)
            while len(received) < messages:
                await asyncio.sleep(0.01)
            steady.cancel()
            for task in hurried:
                task.cancel()
            await asyncio.gather(steady, *hurried, return_exceptions=True)
            return received
        received = run(main())
        self.assertEqual(sorted(received), sorted(b"%d" % n for n in range(messages)))
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_a_cancelled_send_sends_nothing(self):
        queue = self.new_queue(max_messages=1)
        queue.send(b"fills it")

        async def main():
            task = asyncio.ensure_future(queue.send_async(b"never"))
            await asyncio.sleep(0.05)
            task.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await task
        run(main())
        self.assertEqual(queue.receive(timeout=0).data, b"fills it")
        with self.assertRaises(pmq.WouldBlock):
            queue.receive(timeout=0)

    def test_interrupt_stops_waiting_coroutines(self):
        queue = self.new_queue(max_messages=1)

        async def main():
            receivers = [asyncio.ensure_future(queue.receive_async()) for _ in range(3)]
            await asyncio.sleep(0.05)
            queue.interrupt()
            results = await asyncio.gather(*receivers, return_exceptions=True)
            self.assertEqual([type(r) for r in results], [pmq.Canceled] * 3)
            self.assertIn("Queue.resume()", str(results[0]))
            # While interrupted a call that would wait raises at once; one
            # that need not wait behaves as before.
            with self.assertRaises(pmq.Canceled):
                await queue.receive_async()
            await queue.send_async(b"fits")
            with self.assertRaises(pmq.Canceled):
                await queue.send_async(b"would wait for room")
            queue.resume()
            self.assertEqual((await queue.receive_async()).data, b"fits")
            waiting = asyncio.ensure_future(queue.receive_async())
            await asyncio.sleep(0.05)
            self.assertFalse(waiting.done())  # waits again after resume()
            queue.send(b"after resume")
            return (await waiting).data
        self.assertEqual(run(main()), b"after resume")
        self.assertEqual(queue.attributes.current_messages, 0)

    def test_interrupt_from_another_thread(self):
        queue = self.new_queue()

        async def main():
            waiting = asyncio.ensure_future(queue.receive_async())
            await asyncio.sleep(0.05)
            thread = threading.Thread(target=queue.interrupt)
            thread.start()
            thread.join()
            with self.assertRaises(pmq.Canceled):
                await waiting
        run(main())

    def test_close_wakes_waiters_and_stops_watching(self):
        queue = self.new_queue()
        fd = queue.fileno()

        async def main():
            waiting = [asyncio.ensure_future(queue.receive_async()) for _ in range(2)]
            await asyncio.sleep(0.05)
            queue.close()
            results = await asyncio.gather(*waiting, return_exceptions=True)
            self.assertEqual([type(r) for r in results], [pmq.Error] * 2)
            self.assertIn("is closed", str(results[0]))
            # Nothing watches the closed descriptor (its number may be reused).
            self.assertFalse(asyncio.get_running_loop().remove_reader(fd))
        run(main())

    def test_timeouts(self):
        queue = self.new_queue(max_messages=1)

        async def main():
            with self.assertRaises(pmq.Timeout) as caught:
                await queue.receive_async(timeout=0.05)
            self.assertIn(queue.name, str(caught.exception))
            self.assertIn("timeout of 0.05 s", str(caught.exception))
            with self.assertRaises(pmq.WouldBlock):
                await queue.receive_async(timeout=0)
            await queue.send_async(b"fills it", timeout=0)
            with self.assertRaises(pmq.Timeout) as caught:
                await queue.send_async(b"more", timeout=0.05)
            self.assertIn("full", str(caught.exception))
            with self.assertRaises(pmq.InvalidArgument):
                await queue.receive_async(timeout=-1)
        run(main())

    def test_errors_are_those_of_the_blocking_calls(self):
        queue = self.new_queue(read=False)

        async def main():
            with self.assertRaises(pmq.WrongDirection):
                await queue.receive_async()
            with self.assertRaisesRegex(TypeError, "encode it"):
                await queue.send_async("text")
        run(main())

    def test_the_guide_example_runs(self):
        # docs/python.md's asyncio example, as written there.
        import os
        import re
        import subprocess
        import sys
        guide = os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "python.md")
        if not os.path.exists(guide):
            self.skipTest("no docs/python.md")
        with open(guide, encoding="utf-8") as file:
            blocks = re.findall(r"```python\n(.*?)```", file.read(), re.S)
        examples = [block for block in blocks if "receive_async" in block]
        self.assertTrue(examples, "docs/python.md has no asyncio example")
        result = subprocess.run([sys.executable, "-c", examples[0]], capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
