"""RecentFirstThreadPool (core/threadpool.py): the most recently idle thread takes the next
task, the others only when tasks overlap, and it keeps the Executor contract."""

from __future__ import annotations

import threading
import time
from concurrent.futures import wait

import pytest

from supportdesk.core.threadpool import RecentFirstThreadPool


def _current() -> str:
    return threading.current_thread().name


def test_one_task_at_a_time_stays_on_one_thread():
    pool = RecentFirstThreadPool(4)
    try:
        # Sequential requests from one client: Python's ThreadPoolExecutor would cycle through
        # its threads; this pool keeps the one that is warm.
        names = {pool.submit(_current).result(timeout=5) for _ in range(50)}
        assert len(names) == 1
    finally:
        pool.shutdown()


def test_overlapping_tasks_spread_and_the_last_one_idle_goes_first():
    pool = RecentFirstThreadPool(3, thread_name_prefix="web")
    release = threading.Event()
    try:
        busy = [pool.submit(lambda: (release.wait(5), _current())[1]) for _ in range(3)]
        time.sleep(0.05)
        queued = pool.submit(_current)  # every thread busy: it waits its turn
        assert not queued.done()
        release.set()
        names = {future.result(timeout=5) for future in busy}
        assert names == {"web_0", "web_1", "web_2"}
        assert queued.result(timeout=5) in names
        last = pool.submit(_current).result(timeout=5)
        assert pool.submit(_current).result(timeout=5) == last
    finally:
        pool.shutdown()


def test_results_and_errors_reach_the_future():
    pool = RecentFirstThreadPool(2)
    try:
        assert pool.submit(lambda a, b=0: a + b, 2, b=3).result(timeout=5) == 5
        failing = pool.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=5)
        # The thread that raised still serves.
        assert pool.submit(lambda: "still here").result(timeout=5) == "still here"
        assert list(pool.map(lambda x: x * x, range(5))) == [0, 1, 4, 9, 16]
    finally:
        pool.shutdown()


def test_many_tasks_from_many_threads_all_run_once():
    pool = RecentFirstThreadPool(4)
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def record(n: int) -> None:
        with lock:
            counts[n] = counts.get(n, 0) + 1

    futures = []

    def client(start: int) -> None:
        futures.extend(pool.submit(record, n) for n in range(start, start + 500))

    clients = [threading.Thread(target=client, args=(i * 500,)) for i in range(4)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    done, not_done = wait(futures, timeout=10)
    pool.shutdown()
    assert not not_done and len(done) == 2000
    assert counts == dict.fromkeys(range(2000), 1)


def test_shutdown_cancels_what_waits_if_asked_and_ends_the_threads():
    pool = RecentFirstThreadPool(1)
    release = threading.Event()
    running = pool.submit(release.wait, 5)
    waiting = [pool.submit(lambda: "late") for _ in range(2)]
    closing = threading.Thread(target=pool.shutdown, kwargs={"cancel_futures": True})
    closing.start()
    time.sleep(0.05)
    release.set()
    closing.join(timeout=5)
    assert not closing.is_alive() and running.result(timeout=1) is True
    assert all(future.cancelled() for future in waiting)
    assert all(not thread.is_alive() for thread in pool._threads)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
    with pytest.raises(ValueError):
        RecentFirstThreadPool(0)


def test_shutdown_without_cancelling_runs_what_was_queued():
    pool = RecentFirstThreadPool(1)
    release = threading.Event()
    pool.submit(release.wait, 5)
    waiting = [pool.submit(lambda n=n: n) for n in range(3)]
    pool.shutdown(wait=False)
    release.set()
    assert [future.result(timeout=5) for future in waiting] == [0, 1, 2]
    for thread in pool._threads:
        thread.join(timeout=5)
        assert not thread.is_alive()
