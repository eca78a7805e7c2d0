"""The production web server's settings (config/gunicorn.py)."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from config import gunicorn as web


def test_workers_start_with_the_preloaded_objects_out_of_the_collectors_reach():
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        web.pre_fork(server=None, worker=None)
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_threaded_workers_and_preloading_by_default():
    from gunicorn.util import load_class
    from gunicorn.workers.gthread import ThreadWorker

    from supportdesk.core.threadpool import RecentFirstThreadPool

    worker = load_class(web.worker_class)  # as gunicorn finds it
    assert issubclass(worker, ThreadWorker)
    pool = worker.get_thread_pool(SimpleNamespace(cfg=SimpleNamespace(threads=3)))
    assert isinstance(pool, RecentFirstThreadPool) and pool._max_workers == 3
    assert web.preload_app is True


def test_each_worker_checkpoints_sqlite_in_the_background(monkeypatch):
    from supportdesk.core import checkpoints

    calls = []
    monkeypatch.setattr(checkpoints, "checkpoint_in_background", lambda: calls.append(1) or True)
    web.post_fork(server=None, worker=None)
    assert calls == [1]
