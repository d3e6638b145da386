"""QueueTestCase: a unittest.TestCase that hands out unique queue names and
removes those queues when the test ends, however it ends."""

import itertools
import os
import random
import unittest

import pmq

_counter = itertools.count()
_salt = random.randrange(100000)


def unique_name(tag="q"):
    """"/pmqtest-py-<tag>-<pid>-<n>-<random>": unique across processes and runs."""
    return "/pmqtest-py-%s-%d-%d-%d" % (tag, os.getpid(), next(_counter), _salt)


def unlink_if_present(name):
    try:
        pmq.unlink(name)
    except pmq.NotFound:
        pass


class QueueTestCase(unittest.TestCase):
    def new_name(self, tag="q"):
        """A unique name, unlinked when the test ends."""
        name = unique_name(tag)
        self.addCleanup(unlink_if_present, name)
        return name

    def new_queue(self, tag="q", **options):
        """A new queue (Queue.create with `options`), closed and unlinked
        when the test ends."""
        queue = pmq.Queue.create(self.new_name(tag), exclusive=True, **options)
        self.addCleanup(queue.close)
        return queue
