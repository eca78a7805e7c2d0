"""Gunicorn settings for supportdesk, read from the environment (docs/configuration.md).

Used by `supportdesk start` and meant for production too:

    gunicorn --config python:config.gunicorn

Threaded workers (gthread) suit a Django app that mostly waits on its database: each process
serves several requests at once without the memory of more processes. Ours hand each request to
the thread that finished one most recently (supportdesk/core/threadpool.py), so that while the
load is light one database connection keeps its cache warm.
"""

from __future__ import annotations

import gc
import os

from gunicorn.workers.gthread import ThreadWorker

from supportdesk.core.threadpool import RecentFirstThreadPool


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _bind_address(host: str, port: str) -> str:
    # An IPv6 address needs brackets before the port ("[::]:8000").
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


wsgi_app = "config.wsgi:application"
bind = [_bind_address(os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000"))]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))


class RecentFirstThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with a thread pool that prefers its most recently idle thread."""

    def get_thread_pool(self) -> RecentFirstThreadPool:
        return RecentFirstThreadPool(self.cfg.threads, thread_name_prefix="web")


worker_class = "config.gunicorn.RecentFirstThreadWorker"
threads = int(os.environ.get("WEB_THREADS", "4"))
# Loading the app once in the master shares its memory between workers and shows import errors
# before any worker starts.
preload_app = _env_bool("WEB_PRELOAD", True)
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "10"))
keepalive = 5
# Access logs are usually written by the reverse proxy; ACCESS_LOG=1 writes them to stdout.
accesslog = "-" if _env_bool("ACCESS_LOG", False) else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Trust X-Forwarded-* headers from these addresses only (the reverse proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "supportdesk-web"
# Gunicorn 25+ opens a control socket in a per-user default location; two instances on one
# machine would fight over it, and supportdesk has no use for it. (Older versions ignore this.)
control_socket_disable = True


def pre_fork(server: object, worker: object) -> None:
    # The preloaded application's objects (Django, the URL map, the templates, translations)
    # live as long as the process: moved out of the collector's reach, the full collections that
    # every request's garbage triggers no longer walk them (a pause of several milliseconds each,
    # seen in the benchmark's slowest requests), and the workers stop copying the pages the
    # collector would have written to.
    gc.freeze()


def post_fork(server: object, worker: object) -> None:
    # Each worker copies SQLite's write-ahead log into the database in a thread of its own, so
    # that requests rarely wait for a checkpoint inside their commit (supportdesk/core/checkpoints.py).
    from supportdesk.core.checkpoints import checkpoint_in_background

    checkpoint_in_background()
