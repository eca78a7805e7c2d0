"""Building batches of rows in a second process while the first one writes them.

Generating a ticket's texts and timeline is Python work; writing it is mostly the database's
(SQLite's C code, or the PostgreSQL server). Done one after the other, each waits for the other;
in two processes they overlap, and the load takes about as long as the slower of the two. A
process rather than a thread: SQLite gives the interpreter lock back and takes it again for every
row, and a generating thread would hold it for milliseconds each time.

The child only computes (it never touches the database connection it inherits) and hands each
batch over pickled through a bounded queue, so at most a few batches are in memory at once.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Iterator
from typing import Any

from supportdesk.demo.seed.stories import Generator, Rows

# Batches built ahead of the writer: enough to keep it busy, few enough to keep memory low.
AHEAD = 3


class GeneratorFailed(Exception):
    """The generating process failed; the message holds its traceback."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def batches(generator: Generator, tickets: int, size: int, *, background: bool) -> Iterator[Rows]:
    """The rows of `tickets` tickets, `size` at a time, in order; built in a forked process
    when `background` (and fork is available), else here."""
    spans = [(first, min(size, tickets - first)) for first in range(0, tickets, size)]
    if not background or not can_fork() or len(spans) < 2:
        for first, count in spans:
            yield generator.generate(first, count)
        return
    context = multiprocessing.get_context("fork")
    queue: Any = context.Queue(maxsize=AHEAD)
    child = context.Process(target=_produce, args=(generator, spans, queue), name="bench-seed-generator")
    child.start()
    try:
        for _ in spans:
            item = queue.get()
            if isinstance(item, GeneratorFailed):
                raise item
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        queue.close()


def _produce(generator: Generator, spans: list[tuple[int, int]], queue: Any) -> None:
    try:
        for first, count in spans:
            queue.put(generator.generate(first, count))
    except Exception:
        queue.put(GeneratorFailed(traceback.format_exc()))
    finally:
        # Hand everything over before the process ends (the queue writes from a thread).
        queue.close()
        queue.join_thread()
