"""Django settings for medvigil, read from ``MEDVIGIL_*`` environment variables.

See ``docs/configuration.md`` for every variable; ``tests/web/test_configuration.py`` keeps the
two in step.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from medvigil.web.config.env import env_bool, env_int, env_list, env_secret, env_str
from medvigil.web.config.security import DEFAULT_POLICY as DEFAULT_CSP

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = Path(env_str("MEDVIGIL_DATA_DIR", str(Path.home() / ".medvigil"))).expanduser()
DEBUG = env_bool("MEDVIGIL_DEBUG", False)


def _secret_key() -> str:
    """Explicit key, else a random key persisted once in the data folder (zero set-up)."""
    explicit = env_secret("MEDVIGIL_SECRET_KEY", "")
    if explicit:
        return explicit
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MEDVIGIL_SECRET_KEY is not set and {key_file} cannot be written: {exc.strerror}"
        ) from None
    return key


SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = env_list("MEDVIGIL_SECRET_KEY_FALLBACKS", [])
"""Previous keys, still accepted for sessions and signed links and to open sealed webhook secrets."""
ALLOWED_HOSTS = env_list("MEDVIGIL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("MEDVIGIL_CSRF_TRUSTED_ORIGINS", [])

_db_url = env_str("MEDVIGIL_DATABASE_URL", "")
if _db_url:
    try:
        _db: dict[str, Any] = dict(dj_database_url.parse(_db_url, conn_max_age=60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"MEDVIGIL_DATABASE_URL is not a database URL: {exc}") from None
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "medvigil.sqlite3"),
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db.pop("CONN_MAX_AGE", None)
    _db.pop("CONN_HEALTH_CHECKS", None)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "medvigil.web.config.admin_app.AdminConfig",  # the admin, with ModelAdmin[Model] made to run
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",  # the API docs from local static files (no CDN, no inline script: CSP)
    "axes",
    "medvigil.web.accounts",
    "medvigil.web.inventory",
    "medvigil.web.dashboard",
    "medvigil.web.advisories",
    "medvigil.web.findings",
    "medvigil.web.risk",
    "medvigil.web.remediation",
    "medvigil.web.disclosure",
    "medvigil.web.publishing",
    "medvigil.web.notifications",
    "medvigil.web.metrics",
    "auditlog",
    "medvigil.web.audit",
]
# The audit trail: django-auditlog captures row changes into the chained audit.AuditEvent.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEvent"
# auditlog's own migrations only create its (swapped-out) LogEntry table: skip them.
MIGRATION_MODULES = {"auditlog": None}

MIDDLEWARE = [
    "medvigil.web.config.request_log.RequestIdMiddleware",  # first: every log line has the request id
    "medvigil.web.config.errors.DatabaseBusyMiddleware",  # SQLite lock contention -> 503, not 500
    "django.middleware.security.SecurityMiddleware",
    "medvigil.web.config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "medvigil.web.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the 429 page
]

ROOT_URLCONF = "medvigil.web.config.urls"
WSGI_APPLICATION = "medvigil.web.config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medvigil.web.accounts.context.role",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# --- Sign-in throttle (django-axes), one for every authentication path: medvigil.web.accounts.throttle
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("MEDVIGIL_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("MEDVIGIL_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = "medvigil.web.accounts.throttle.lockout_parameters"
AXES_CLIENT_IP_CALLABLE = "medvigil.web.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "medvigil.web.accounts.throttle.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked do not extend the lockout
AXES_VERBOSE = False
# --- end sign-in throttle

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files from the app folders without collectstatic (small app, few files).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("MEDVIGIL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# --- HTTPS and CSP (web/config/security.py): off by default for the zero-set-up http://127.0.0.1
SECURE_HSTS_SECONDS = env_int("MEDVIGIL_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MEDVIGIL_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("MEDVIGIL_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("MEDVIGIL_SSL_REDIRECT", False)
if env_bool("MEDVIGIL_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = env_str("MEDVIGIL_CSP", DEFAULT_CSP).strip()
# --- end HTTPS and CSP

# Upload limits: an SBOM upload may be this large (bytes, after gunzip too).
SBOM_MAX_BYTES = env_int("MEDVIGIL_SBOM_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
SUPPLIER_VEX_MAX_BYTES = env_int("MEDVIGIL_SUPPLIER_VEX_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
EVIDENCE_MAX_BYTES = env_int("MEDVIGIL_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
SBOM_MAX_COMPONENTS = env_int("MEDVIGIL_SBOM_MAX_COMPONENTS", 100_000, minimum=1)
SBOM_MAX_DEPTH = env_int("MEDVIGIL_SBOM_MAX_DEPTH", 32, minimum=1)
PUBLISHER_NAME = env_str("MEDVIGIL_PUBLISHER_NAME", "Example Medical Devices")
PUBLISHER_NAMESPACE = env_str("MEDVIGIL_PUBLISHER_NAMESPACE", "https://psirt.example.com")
PUBLISHER_CONTACT = env_str("MEDVIGIL_PUBLISHER_CONTACT", "")
CSAF_PROVIDER = env_bool("MEDVIGIL_CSAF_PROVIDER", True)  # serve /.well-known/csaf/ (CSAF 2.0 sec. 7)
CSAF_SIGNING_KEY = env_str("MEDVIGIL_CSAF_SIGNING_KEY", "")  # OpenPGP fingerprint in GNUPGHOME below
CSAF_GNUPGHOME = Path(env_str("MEDVIGIL_CSAF_GNUPGHOME", str(DATA_DIR / "gnupg"))).expanduser()
DATA_UPLOAD_MAX_MEMORY_SIZE = SBOM_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads stream to memory (small) or a temporary file, and stop at SBOM_MAX_BYTES (inventory.uploads).
FILE_UPLOAD_HANDLERS = [
    "medvigil.web.inventory.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# --- Decompression limits of feed inputs (zip members, gzip streams; core/feeds/_io.py) and bundles
ARCHIVE_MAX_MEMBER_BYTES = env_int("MEDVIGIL_ARCHIVE_MAX_MEMBER_BYTES", 256 * 1024 * 1024, minimum=1024)
ARCHIVE_MAX_TOTAL_BYTES = env_int("MEDVIGIL_ARCHIVE_MAX_TOTAL_BYTES", 4096 * 1024 * 1024, minimum=1024)
BUNDLE_MAX_BYTES = env_int("MEDVIGIL_BUNDLE_MAX_BYTES", 64 * 1024**3, minimum=1024)
# --- end decompression limits
# --- Import queue (web/concurrency.py): SBOM imports running at once per web process, and the wait
IMPORT_CONCURRENCY = env_int("MEDVIGIL_IMPORT_CONCURRENCY", 2, minimum=1)
IMPORT_QUEUE_SECONDS = env_int("MEDVIGIL_IMPORT_QUEUE_SECONDS", 600, minimum=1)
# --- end import queue
# ``medvigil serve`` (gunicorn, one process): request threads, each holding at most one database
# connection; with the job consumer's threads this bounds the connections the server opens
# (PostgreSQL: 32, well below its default max_connections of 100; SQLite connections cost nothing
# but a file handle, and more threads keep reads answering while uploads wait for an import slot).
SERVE_THREADS = env_int(
    "MEDVIGIL_SERVE_THREADS", 64 if _db["ENGINE"] == "django.db.backends.sqlite3" else 32, minimum=1
)

# Cache (login throttling, later rate limits): in-process by default; a redis:// URL shares it
# between several web processes.
CACHE_URL = env_str("MEDVIGIL_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"MEDVIGIL_CACHE_URL={CACHE_URL!r}: use a redis:// URL or leave it empty")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs (huey): "sqlite" (embedded file in the data folder), "immediate" (run inline),
# or a redis:// URL for several workers.
TASKS_URL = env_str("MEDVIGIL_TASKS_URL", "sqlite")
# A version's analysis still "running" this long after its job started is shown as stale (the
# worker was killed or lost the job) and may be queued again with "Re-match now".
ANALYSIS_TIMEOUT_MINUTES = env_int("MEDVIGIL_ANALYSIS_TIMEOUT_MINUTES", 60, minimum=1)


def _huey() -> dict[str, Any]:
    if TASKS_URL == "immediate":
        return {"huey_class": "huey.MemoryHuey", "immediate": True, "name": "medvigil"}
    if TASKS_URL == "sqlite":
        return {
            "huey_class": "huey.SqliteHuey",
            "name": "medvigil",
            "filename": str(DATA_DIR / "tasks.sqlite3"),
            "immediate": False,
        }
    if TASKS_URL.startswith(("redis://", "rediss://")):
        return {"huey_class": "huey.RedisHuey", "name": "medvigil", "url": TASKS_URL, "immediate": False}
    raise ImproperlyConfigured(
        f"MEDVIGIL_TASKS_URL={TASKS_URL!r}: use 'sqlite', 'immediate' or a redis:// URL"
    )


# --- The data folder is created when the SQLite database or task queue live in it (one clear error if not)
if TASKS_URL == "sqlite" or _db["ENGINE"] == "django.db.backends.sqlite3":
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"MEDVIGIL_DATA_DIR={str(DATA_DIR)!r} cannot be created: {exc.strerror}"
        ) from None
# --- end data folder

HUEY = _huey()

# Online feed sync (``medvigil feeds sync``, the scheduled job, the feeds page's "Sync now").
# Empty URLs mean the upstream defaults of each fetcher (medvigil.core.feeds.sync).
FEEDS_SYNC_SOURCES = env_list("MEDVIGIL_SYNC_SOURCES", ["nvd", "osv", "kev", "epss"])
FEEDS_SYNC_SCHEDULE = env_str("MEDVIGIL_SYNC_SCHEDULE", "").strip()
if FEEDS_SYNC_SCHEDULE:
    from huey import crontab as huey_crontab

    from medvigil.core.errors import InputError
    from medvigil.web.advisories.schedule import parse_schedule

    try:
        parse_schedule(FEEDS_SYNC_SCHEDULE)
        huey_crontab(*FEEDS_SYNC_SCHEDULE.split(), strict=True)  # what the worker will run
    except (InputError, ValueError) as exc:
        reason = exc.diagnostics() if isinstance(exc, InputError) else str(exc)
        raise ImproperlyConfigured(
            f"MEDVIGIL_SYNC_SCHEDULE={FEEDS_SYNC_SCHEDULE!r}: {reason} (e.g. '0 3 * * *')"
        ) from None
FEEDS_SYNC_TIMEOUT = env_int("MEDVIGIL_SYNC_TIMEOUT", 60, minimum=1)
# Feed imports of large inputs map records in a second process (1) or in the importing one (0).
FEEDS_IMPORT_WORKERS = env_int("MEDVIGIL_IMPORT_WORKERS", 1, minimum=0)
FEEDS_SYNC_OPTIONS: dict[str, dict[str, Any]] = {
    "nvd": {
        "url": env_str("MEDVIGIL_NVD_URL", ""),
        "api_key": env_secret("MEDVIGIL_NVD_API_KEY", ""),
        "start_date": env_str("MEDVIGIL_NVD_START_DATE", ""),
    },
    "osv": {"url": env_str("MEDVIGIL_OSV_URL", ""), "ecosystems": env_list("MEDVIGIL_OSV_ECOSYSTEMS", [])},
    "kev": {"url": env_str("MEDVIGIL_KEV_URL", "")},
    "epss": {"url": env_str("MEDVIGIL_EPSS_URL", "")},
    "csaf": {
        "providers": [
            {"url": provider, "public_keys": env_list("MEDVIGIL_CSAF_PUBLIC_KEYS", [])}
            for provider in env_list("MEDVIGIL_CSAF_PROVIDERS", [])
        ]
    },
}
"""Options handed to each fetcher as ``SyncContext.options`` (keys per fetcher module)."""

from medvigil.web.config.disclosure import *  # noqa: E402,F403 - CVD portal and mail
from medvigil.web.config.notifications import *  # noqa: E402,F403 - notification delivery

LOG_LEVEL = env_str("MEDVIGIL_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
    raise ImproperlyConfigured(f"MEDVIGIL_LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR")
# --- Logging: structured lines with the request id, credentials redacted (web/config/request_log.py).
LOG_FORMAT = env_str("MEDVIGIL_LOG_FORMAT", "json").lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"MEDVIGIL_LOG_FORMAT={LOG_FORMAT!r}: use json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "medvigil.web.config.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "medvigil.web.config.request_log.JsonFormatter"},
        "text": {"()": "medvigil.web.config.request_log.KeyValueFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "loggers": {
        "medvigil": {"handlers": ["console"], "level": LOG_LEVEL},
        # django.request logs every 5xx with its traceback and 4xx as warnings, DEBUG on or off.
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
# --- end logging
