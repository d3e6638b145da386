"""Queue.receive_async / send_async: wait on the running asyncio loop for the
queue's descriptor to become readable (a message waits) or writable (there is
room), then take or send without waiting (timeout 0).

A loop watches a descriptor with one reader and one writer callback, so every
coroutine waiting on the same queue and loop waits in one list; the callback
wakes one waiter per round (the descriptor is level-triggered, so it runs
again while the queue stays ready).  A message is taken only by the call that
returns it, between two awaits: a cancelled waiter has taken nothing.

Queue.interrupt() and Queue.close() wake every waiter of the queue (on any
loop, from any thread): each tries again and meets the reason (pmq.Canceled,
the closed queue's error).  close() also stops watching the descriptor before
it is closed, when it is called on the loop's thread (from another thread the
loop stops watching at its next turn).
"""

import asyncio
import collections
import weakref

from .errors import Canceled, Code, Timeout, WouldBlock
from ._waiting import seconds

_READ, _WRITE = "read", "write"


class _Waiters:
    """The coroutines waiting for one queue to be ready one way on one loop."""

    def __init__(self, loop, fd, way):
        self.loop, self.fd, self.way = loop, fd, way
        self.futures = collections.deque()
        self.watching = False

    def wait(self):
        future = self.loop.create_future()
        self.futures.append(future)
        if not self.watching:
            watch = self.loop.add_reader if self.way is _READ else self.loop.add_writer
            watch(self.fd, self._ready)
            self.watching = True
        return future

    def _ready(self):
        while self.futures:
            future = self.futures.popleft()
            if not future.done():
                future.set_result(None)
                break
        if not self.futures:
            self._stop()

    def forget(self, future):
        try:
            self.futures.remove(future)
        except ValueError:
            pass  # _ready() took it
        if not self.futures:
            self._stop()

    def wake_all(self):
        """Wakes every waiter and stops watching: on this thread if it runs
        the loop, else at the loop's next turn."""
        def wake():
            while self.futures:
                future = self.futures.popleft()
                if not future.done():
                    future.set_result(None)
            self._stop()
        try:
            here = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            here = False
        if here:
            wake()
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(wake)

    def _stop(self):
        if self.watching:
            unwatch = self.loop.remove_reader if self.way is _READ else self.loop.remove_writer
            unwatch(self.fd)
            self.watching = False


def _waiters(queue, loop, way):
    tables = queue.__dict__.setdefault("_async_waiters", {})
    table = tables.setdefault(way, weakref.WeakKeyDictionary())
    waiters = table.get(loop)
    if waiters is None:
        waiters = table[loop] = _Waiters(loop, queue.fileno(), way)
    return waiters


def wake_all(queue):
    """Every coroutine waiting on this queue, on every loop, tries again."""
    for table in queue.__dict__.get("_async_waiters", {}).values():
        for waiters in list(table.values()):
            waiters.wake_all()


def _canceled(queue, what):
    return Canceled(Code.ECANCELED, "Queue.%s(%r): the queue handle is interrupted "
                    "(Queue.interrupt()); Queue.resume() lets calls wait again"
                    % (what, queue.name))


def _timed_out(queue, what, timeout):
    return Timeout(Code.ETIMEDOUT, "Queue.%s(%r): the queue stayed %s for the whole timeout "
                   "of %g s" % (what, queue.name, "empty" if what == "receive_async"
                                else "full", timeout))


async def _wait(queue, way, deadline):
    loop = asyncio.get_running_loop()
    waiters = _waiters(queue, loop, way)
    future = waiters.wait()
    expiry = None
    if deadline is not None:
        expiry = loop.call_at(deadline, lambda: future.done() or future.set_result(None))
    try:
        await future
    finally:
        waiters.forget(future)
        if expiry is not None:
            expiry.cancel()


async def receive(queue, timeout):
    if timeout is not None:
        timeout = seconds(timeout)
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    while True:
        try:
            return queue.receive(timeout=0)
        except WouldBlock:
            if timeout == 0:
                raise  # as receive(timeout=0) and send(timeout=0): do not wait
            if deadline is not None and loop.time() >= deadline:
                raise _timed_out(queue, "receive_async", timeout) from None
            if queue._interrupted:
                raise _canceled(queue, "receive_async") from None
        await _wait(queue, _READ, deadline)


async def send(queue, data, priority, timeout):
    if timeout is not None:
        timeout = seconds(timeout)
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    while True:
        try:
            return queue.send(data, priority, timeout=0)
        except WouldBlock:
            if timeout == 0:
                raise  # as receive(timeout=0) and send(timeout=0): do not wait
            if deadline is not None and loop.time() >= deadline:
                raise _timed_out(queue, "send_async", timeout) from None
            if queue._interrupted:
                raise _canceled(queue, "send_async") from None
        await _wait(queue, _WRITE, deadline)
