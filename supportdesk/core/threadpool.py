"""A thread pool that gives each task to the thread that finished its last one most recently.

The web server's threads (gunicorn's gthread worker) each keep their own database connection.
Python's ThreadPoolExecutor wakes its idle threads in turn, so one client's requests go round
all of them, and on SQLite that is costly: a connection that finds the database written by
another connection since its last read throws its whole page cache away (the pages have to be
read and parsed again). With four threads and a write in every request (API ticket creation),
each request started cold: 0.25-0.5 ms more at the median in process, ~15 % fewer creations a
second in the server (docs/benchmarks.md). Handing work to the most recently idle thread keeps
one connection, and its cache, doing the work while the load is light, and spreads it over the
others only when requests overlap. Database pools hand out their most recently used connection
for the same reason.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

_Work = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], Future[Any]]


class _Slot:
    """One thread's mailbox: the task it is given and the signal that it has one."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.work: _Work | None = None


class RecentFirstThreadPool(Executor):
    """An executor of at most `max_workers` threads (started as tasks arrive); an idle thread
    that finished most recently takes the next task, and tasks that find every thread busy wait
    in a queue, first come first served."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "recent-first") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._max_workers = max_workers
        self._name = thread_name_prefix
        self._lock = threading.Lock()
        self._idle: list[_Slot] = []  # a stack: the most recently idle thread last
        self._waiting: deque[_Work] = deque()
        self._threads: list[threading.Thread] = []
        self._shut_down = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        work: _Work = (fn, args, kwargs, future)
        with self._lock:
            if self._shut_down:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._idle:
                slot = self._idle.pop()
                slot.work = work
                slot.ready.set()
            elif len(self._threads) < self._max_workers:
                slot = _Slot()
                slot.work = work
                thread = threading.Thread(
                    target=self._serve, args=(slot,), name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._waiting.append(work)
        return future

    def _serve(self, slot: _Slot) -> None:
        work = slot.work
        slot.work = None
        while work is not None:
            fn, args, kwargs, future = work
            outcome: tuple[bool, Any] | None = None
            if future.set_running_or_notify_cancel():
                try:
                    outcome = (True, fn(*args, **kwargs))
                except BaseException as error:  # the future carries it to whoever waits on it
                    outcome = (False, error)
            # Back on the idle stack before the result is out: the caller's next task, sent the
            # moment it has the answer, then comes to this thread rather than starting another.
            ending = False
            with self._lock:
                work = self._waiting.popleft() if self._waiting else None
                if work is None:
                    if self._shut_down:
                        ending = True
                    else:
                        slot.ready.clear()
                        self._idle.append(slot)
            if outcome is not None:
                if outcome[0]:
                    future.set_result(outcome[1])
                else:
                    future.set_exception(outcome[1])
            del fn, args, kwargs, future, outcome  # nothing of a finished task kept while idle
            if work is not None:
                continue
            if ending:
                return
            slot.ready.wait()
            work = slot.work
            slot.work = None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No new tasks; idle threads end, busy ones after the tasks already queued (those are
        cancelled instead with `cancel_futures`)."""
        with self._lock:
            self._shut_down = True
            if cancel_futures:
                while self._waiting:
                    self._waiting.popleft()[3].cancel()
            idle, self._idle = self._idle, []
        for slot in idle:
            slot.ready.set()  # with no work: the thread ends
        if wait:
            for thread in list(self._threads):
                thread.join()
