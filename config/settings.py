"""supportdesk settings: one module, driven by environment variables with safe defaults.

Defaults give a working single-machine install (SQLite, local-memory cache, SQLite-backed task
queue). Setting DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis with no code change.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SUPPORTDESK_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data directory.

    A generated key keeps sessions valid across restarts of a single-machine install; a fleet of
    servers must share one key through the environment.
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "ninja",
    "supportdesk.core",
    "supportdesk.accounts",
    "supportdesk.customers",
    "supportdesk.tickets",
    "supportdesk.channels.web",
    "supportdesk.channels.email",
    "supportdesk.api",
    "supportdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.core.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supportdesk.core.context_processors.product",
            ],
            # After Django's own: core's `url` and `translate` tags (the same, remembering their
            # answers) win.
            "builtins": [
                "django.templatetags.i18n",
                "supportdesk.core.templatetags.form_fields",
                "supportdesk.core.templatetags.urls",
                "supportdesk.core.templatetags.translations",
            ],
            # `{% load static %}` loads core's, whose `static` tag remembers its URLs.
            "libraries": {"static": "supportdesk.core.templatetags.static"},
        },
    }
]

# Common widgets written in Python, the rest by Django's templates (supportdesk/core/form_renderer.py).
FORM_RENDERER = "supportdesk.core.form_renderer.QuickFormRenderer"

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite's page cache per connection (SQLITE_CACHE_MB); the operating system caches the file too.
# Every web thread keeps a connection, so a worker holds up to four of these caches: at 32 MB the
# sidebar's counts filled them and a worker grew to 157-228 MB; at 8 MB it stays near 110 MB and
# the pages are as fast (docs/benchmarks.md).
SQLITE_CACHE_KB = int(os.environ.get("SQLITE_CACHE_MB", "8")) * 1024
SQLITE_CHECKPOINT_PAGES = 16000
_engine = DATABASES["default"]["ENGINE"]
if _engine == "django.db.backends.sqlite3":
    # Connections are kept between requests (DB_CONN_MAX_AGE) as on PostgreSQL: opening one
    # (its PRAGMAs, reading the schema) cost 6 to 10 ms, more than most pages.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE avoids "database is locked" on the
        # read-then-write upgrade inside atomic blocks; the busy timeout queues writers briefly.
        # The commit that takes the log past wal_autocheckpoint pages waits for a checkpoint and
        # its disk syncs (core/checkpoints.py): 16,000 pages (64 MB) instead of SQLite's 1,000
        # makes that one commit in ~400 new tickets (~39 pages each) instead of one in ~25 (API
        # create: mean commit 0.34-0.50 ms at 4,000 pages, 0.24-0.25 at 16,000; docs/benchmarks.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY;"
            f"PRAGMA cache_size=-{SQLITE_CACHE_KB}; PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
# PostgreSQL: parameters sent apart from the SQL and statements prepared on their second use on
# a connection: PostgreSQL then plans a page's queries once per connection instead of every time
# (the ticket page's read with its eight joins took 3 ms to plan and 0.1 ms to run). On the sixth
# use, as psycopg does by default, each of a server's connections planned every page's queries
# five times more: the slowest 5-10 % of requests in a benchmark of a few seconds. A statement
# used once (a search for one word) is never prepared. A pooler in transaction mode without
# prepared-statement support (PgBouncer before 1.21) needs DB_PREPARED_STATEMENTS=0
# (docs/deployment.md).
if _engine == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 1}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, task queue ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Django's database sessions, read with a compiled query (supportdesk/core/sessions/db.py).
    SESSION_ENGINE = "supportdesk.core.sessions.db"

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "supportdesk",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {
            "workers": int(os.environ.get("WORKER_THREADS", "4")),
            "worker_type": "thread",
            # Exactly one worker of an installation schedules the periodic tasks (every worker
            # runs them): with several, the others set WORKER_PERIODIC=0.
            "periodic": env_bool("WORKER_PERIODIC", True),
        },
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "supportdesk",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": int(os.environ.get("WORKER_THREADS", "2")), "worker_type": "thread"},
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's model backend, loading the signed-in person with a compiled query (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["supportdesk.accounts.backends.AccountBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
    ("pl", _("Polish")),
    ("zh-hant", _("Traditional Chinese")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "supportdesk" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def s3_storage(bucket: str) -> dict[str, Any]:
    """Attachments and raw mail on S3-compatible storage (AWS, MinIO, Ceph, …), shared by every
    machine: `pip install "supportdesk[s3]"`. Files stay private: the application reads them and
    checks who may see them; it never hands out bucket URLs."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            # Content-addressed names (raw mail) are the same bytes when they repeat.
            "file_overwrite": True,
        },
    }


if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = s3_storage(os.environ["S3_BUCKET"])
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "supportdesk <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 30
else:
    # Without an SMTP server, mail (sign-up confirmations, password resets) is printed to the log.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # huey adds a handler of its own to its logger; without this every line would print twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # aiosmtpd logs every SMTP conversation (senders, recipients) at INFO: too much, and
        # personal data; our receiver logs what it stores or refuses itself.
        "mail.log": {"level": "WARNING"},
    },
}

# --- supportdesk tunables (read through each app's conf module) -----------------------------
SUPPORTDESK = {
    "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))),
    "ATTACHMENTS_PER_MESSAGE": int(os.environ.get("ATTACHMENTS_PER_MESSAGE", "10")),
    "AUTO_CLOSE_AFTER_DAYS": int(os.environ.get("AUTO_CLOSE_AFTER_DAYS", "4")),
    "DEFAULT_PHONE_REGION": os.environ.get("DEFAULT_PHONE_REGION", "US"),
    "INBOX_PAGE_SIZE": int(os.environ.get("INBOX_PAGE_SIZE", "25")),
    "VIEW_COUNT_CAP": int(os.environ.get("VIEW_COUNT_CAP", "10000")),
}

SUPPORTDESK_EMAIL = {
    "MAX_MESSAGE_BYTES": int(os.environ.get("MAIL_MAX_MESSAGE_BYTES", str(40 * 1024 * 1024))),
    "RECEIVER_HOST": os.environ.get("MAIL_RECEIVER_HOST", "127.0.0.1"),
    "RECEIVER_PORT": int(os.environ.get("MAIL_RECEIVER_PORT", "2525")),
    "RECEIVER_ENABLED": env_bool("MAIL_RECEIVER_ENABLED", True),
    "REPLY_DOMAIN": os.environ.get("MAIL_REPLY_DOMAIN", ""),
    "SEND_RETRIES": int(os.environ.get("MAIL_SEND_RETRIES", "6")),
    "AUTO_REPLIES_PER_SENDER_PER_HOUR": int(os.environ.get("MAIL_AUTO_REPLIES_PER_SENDER_PER_HOUR", "3")),
    "IMPORT_BATCH": int(os.environ.get("MAIL_IMPORT_BATCH", "200")),
}
