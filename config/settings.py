"""Firstslice settings: one module, driven by the environment.

With no environment variables at all, Firstslice runs on the *embedded default*: a SQLite file, Celery jobs run
eagerly in-process, e-mail goes to the console and DEBUG is on. That is the zero-setup `make demo` mode and
nothing else. Set `DATABASE_URL` and `REDIS_URL` to run on PostgreSQL and a real Celery broker (tests, compose,
production). Set `DJANGO_DEBUG=false` for production: a secret key and allowed hosts are then required.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean, refusing anything that is not clearly true or false (a typo must not flip a setting)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    # Development only: a fixed, obviously insecure key so the demo needs no setup.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-firstslice-development-only"
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of 50+ characters in production.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The consultancy that issues the scope documents: printed on every PDF and in its metadata.
CONSULTANCY_NAME = os.environ.get("CONSULTANCY_NAME", "").strip() or "Firstslice demo consultancy"

INSTALLED_APPS = [
    # First: its runserver serves the ASGI app (pages and WebSockets) in development and `make demo`.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",  # {% partialdef %}; render "page.html#name" for an htmx swap (built in from Django 6.0)
    "axes",
    "csp",
    "accounts",
    "scoping",
    "documents",  # app label "reports": its tables and migrations keep their names
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN)
    "api",
    "proposals",  # the engagement a scope is sold with (phases, milestones, fees, terms)
    "webhooks",
    "consultancy",  # the consultancy profile and the clause library the proposal prints
    "channels",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.htmx.HtmxLoginRedirectMiddleware",  # an expired session during an htmx poll reloads the login page
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Pages and the live channel (ws/projects/<id>/): gunicorn's uvicorn workers in production, daphne's runserver here.
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's psycopg 3 connection pool; CONN_MAX_AGE must stay 0 with it.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 1),
            "max_size": env_int("DB_POOL_MAX", 10),
            "timeout": 10,
        }
else:
    # Embedded default: zero-setup demo only.
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "demo.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"
INVITE_VALID_DAYS = env_int("INVITE_VALID_DAYS", 7)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Brute-force protection: lock a username+IP pair after 5 failures; each further lock-out lasts longer.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "accounts.lockout.cooloff_time"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lock-outs use the same client address as the audit trail and signatures (see "Reverse proxy" below).
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# --- Internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"  # documents are only downloaded through access-checked views

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    from botocore.config import Config as BotoConfig

    # S3-compatible document storage (MinIO, AWS, ...); django-storages reads AWS_* settings from the environment.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": None,
            "querystring_auth": True,
            # A store that does not answer must fail in seconds (the job retries; the download says "try again"),
            # not hold a web worker for botocore's default 60 s per attempt.
            "client_config": BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
        },
    }

# --- Celery -----------------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded default: jobs run inline in the web process.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None

# Under ASGI, Django warns (on stderr, not in the JSON log) for every FileResponse it streams: PDF downloads are
# files, read in a thread as Django does; the warning says nothing an operator can act on.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

# --- Channels (live updates over WebSockets) ---------------------------------------------------------------------
# channels-redis on the same Redis in production and tests; the embedded demo runs in one process, in memory.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer: each socket's messages arrive on a queue of its own process, so one socket closing
            # cannot take a message meant for another (the list-based layer shares one blocking pop per process and
            # lost messages when a socket closed mid-pop: django/channels#1683); it re-subscribes after a restart.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # A Redis that stops answering fails a read or a publish after 15 s instead of hanging the socket.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}],
                "prefix": os.environ.get("CHANNELS_PREFIX", "firstslice"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Each open socket re-joins its group, refreshes its presence entry and re-checks its access this often; an entry not
# refreshed for LIVE_PRESENCE_TTL seconds (a crashed process, a Redis flush) drops out of the presence bar.
LIVE_HEARTBEAT_SECONDS = env_int("LIVE_HEARTBEAT_SECONDS", 15)
LIVE_PRESENCE_TTL = env_int("LIVE_PRESENCE_TTL", 45)
# The queue jobs go to and the worker consumes; the stack test gives its processes a queue of their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's job goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
# Redis re-delivers unacked jobs after the visibility timeout; it must exceed the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Safety net for jobs whose worker died: re-queue or fail documents stuck in "rendering" (celery beat).
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-documents": {"task": "reports.sweep_stale_documents", "schedule": 15.0},
    # The drift watch: each catalogue change is recorded once per scope, so a restarted beat never alerts twice.
    "check-price-drift": {"task": "scoping.check_price_drift", "schedule": crontab(hour=5, minute=30)},
    # Sign-off requests: expired ones return to approved (hourly, so a request ends within the hour); reminders go out
    # daily. Both record what they did per request and signatory, so a restarted beat never repeats them.
    "expire-signoff-requests": {"task": "scoping.expire_signoff_requests", "schedule": crontab(minute=10)},
    "send-signoff-reminders": {"task": "scoping.send_signoff_reminders", "schedule": crontab(hour=8, minute=0)},
}
# A sign-off request expires SIGNOFF_EXPIRY_DAYS after it is sent (the requester may choose an earlier day); until
# then each signatory who has not signed is reminded every SIGNOFF_REMINDER_DAYS days.
SIGNOFF_EXPIRY_DAYS = env_int("SIGNOFF_EXPIRY_DAYS", 30)
# A client signatory confirms a 6-digit code e-mailed to them before signing (identity beyond the sign-in); it
# works for SIGNING_CODE_MINUTES. Turn it off only where the client's sign-in already proves identity (SSO).
SIGNOFF_EMAIL_CODE = env_bool("SIGNOFF_EMAIL_CODE", True)
SIGNING_CODE_MINUTES = env_int("SIGNING_CODE_MINUTES", 10)
SIGNOFF_REMINDER_DAYS = env_int("SIGNOFF_REMINDER_DAYS", 3)
if min(SIGNOFF_EXPIRY_DAYS, SIGNOFF_REMINDER_DAYS) < 1:
    raise ImproperlyConfigured("SIGNOFF_EXPIRY_DAYS and SIGNOFF_REMINDER_DAYS must be 1 or more.")
# A rendering job holds a lease on its document and renews it while it works; the sweep re-queues a document whose
# lease lapsed (the worker died), long before the hard time limit would tell.
DOCUMENT_LEASE_SECONDS = env_int("DOCUMENT_LEASE_SECONDS", 30)
DOCUMENT_LEASE_RENEW_SECONDS = env_int("DOCUMENT_LEASE_RENEW_SECONDS", 10)
if not 0 < DOCUMENT_LEASE_RENEW_SECONDS < DOCUMENT_LEASE_SECONDS:
    raise ImproperlyConfigured("DOCUMENT_LEASE_RENEW_SECONDS must be positive and shorter than DOCUMENT_LEASE_SECONDS.")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
if CELERY_TASK_TIME_LIMIT >= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be larger than CELERY_TASK_TIME_LIMIT.")

# The JSON API: requests a minute per personal access token (django-ninja's throttle syntax).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/m")
NINJA_PAGINATION_MAX_LIMIT = 100

# --- Webhooks -------------------------------------------------------------------------------------------------------
# Signed POSTs to the endpoints admins configure (webhooks/). Each delivery is a Celery job: one attempt waits at most
# WEBHOOKS_CONNECT_TIMEOUT seconds to connect and WEBHOOKS_READ_TIMEOUT seconds for the whole answer; a failed attempt
# is retried WEBHOOKS_MAX_RETRIES times, waiting WEBHOOKS_RETRY_BACKOFF seconds, then twice as long each time (capped
# at 1 hour). After WEBHOOKS_DISABLE_AFTER deliveries in a row fail for good, the endpoint is disabled and the admins
# are told. Targets that resolve to loopback, private, link-local or other non-public addresses are refused, on save
# and again at every delivery, unless WEBHOOKS_ALLOW_PRIVATE_TARGETS is on (a receiver on the same host or network).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
WEBHOOKS_CONNECT_TIMEOUT = env_int("WEBHOOKS_CONNECT_TIMEOUT", 3)
WEBHOOKS_READ_TIMEOUT = env_int("WEBHOOKS_READ_TIMEOUT", 10)
WEBHOOKS_MAX_RETRIES = env_int("WEBHOOKS_MAX_RETRIES", 8)
WEBHOOKS_RETRY_BACKOFF = env_int("WEBHOOKS_RETRY_BACKOFF", 30)
WEBHOOKS_DISABLE_AFTER = env_int("WEBHOOKS_DISABLE_AFTER", 10)
WEBHOOKS_QUEUE = os.environ.get("WEBHOOKS_QUEUE", "") or None  # None: Celery's default queue
if min(WEBHOOKS_CONNECT_TIMEOUT, WEBHOOKS_READ_TIMEOUT, WEBHOOKS_DISABLE_AFTER, WEBHOOKS_RETRY_BACKOFF) < 1:
    raise ImproperlyConfigured("The WEBHOOKS_ timeouts, backoff and WEBHOOKS_DISABLE_AFTER must be 1 or more.")
if WEBHOOKS_MAX_RETRIES < 0:
    raise ImproperlyConfigured("WEBHOOKS_MAX_RETRIES must be 0 or more.")

# --- The consultancy profile (consultancy/) ------------------------------------------------------------------------
# The name the one profile row starts with, until an admin fills the profile in.
# The largest logo upload accepted, in bytes (default 1 MB); a larger file is refused before it is read.
LOGO_MAX_BYTES = env_int("LOGO_MAX_BYTES", 1024 * 1024)
if LOGO_MAX_BYTES < 1:
    raise ImproperlyConfigured("LOGO_MAX_BYTES must be 1 or more.")

# --- E-mail ---------------------------------------------------------------------------------------------------------
if os.environ.get("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Firstslice <firstslice@localhost>")
# Every e-mail is a Celery job (accounts.tasks.send_email), never sent inside a request. A mail server that accepts
# the connection and then hangs costs the job at most EMAIL_TIMEOUT seconds per attempt; a failed attempt is retried
# EMAIL_MAX_RETRIES times, waiting EMAIL_RETRY_BACKOFF seconds, then twice as long each time (capped at 1 hour).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 5)
EMAIL_RETRY_BACKOFF = env_int("EMAIL_RETRY_BACKOFF", 30)
EMAIL_QUEUE = os.environ.get("EMAIL_QUEUE", "") or None  # None: Celery's default queue

# --- Forms ----------------------------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Signing certificate for sign-off PDFs ---------------------------------------------------------------------------
SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH", str(BASE_DIR / "var" / "dev-signing.p12"))
SIGNING_PKCS12_PASSWORD = os.environ.get("SIGNING_PKCS12_PASSWORD", "firstslice-dev" if DEBUG else "")

# --- Production start-up checks (config/checks.py) ------------------------------------------------------------------
# FIRSTSLICE_ENVIRONMENT=production refuses DEBUG on. With DEBUG off, the development signing certificate and the demo
# password refuse to start unless explicitly allowed (a staging copy, say).
FIRSTSLICE_ENVIRONMENT = os.environ.get("FIRSTSLICE_ENVIRONMENT", "").strip().lower()
FIRSTSLICE_ALLOW_DEV_CERTIFICATE = env_bool("FIRSTSLICE_ALLOW_DEV_CERTIFICATE", False)
FIRSTSLICE_ALLOW_DEMO_PASSWORDS = env_bool("FIRSTSLICE_ALLOW_DEMO_PASSWORDS", False)

# --- Security -------------------------------------------------------------------------------------------------------
# The CSP allows only the site itself: Bootstrap and htmx are vendored, and no page uses inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not SIGNING_PKCS12_PASSWORD:
        raise ImproperlyConfigured("SIGNING_PKCS12_PASSWORD must be set in production.")

# --- Reverse proxy ---------------------------------------------------------------------------------------------
# In production Firstslice runs behind a TLS proxy (Caddy in docker-compose.yml). Two separate trusts:
# - DJANGO_TRUSTED_PROXIES: the proxies' own addresses (IPs or CIDR ranges). Only a request whose direct peer is one
#   of them has its X-Forwarded-For read, and then from the right (config/client_ip.py). Empty: X-Forwarded-For is
#   ignored and the peer address is the client.
# - DJANGO_SECURE_PROXY_SSL_HEADER: "Header-Name: value" that marks a request as HTTPS, set by the proxy. Django
#   trusts it from any peer, so the app port must be reachable only through the proxy. Empty or "off": not trusted.
from config.client_ip import parse_trusted_proxies  # noqa: E402 - settings read the environment in order

TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
parse_trusted_proxies(TRUSTED_PROXIES)  # a typo fails at start-up


def _proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    if raw.strip().lower() in {"", "off", "none", "false"}:
        return None
    name, sep, value = raw.partition(":")
    if not sep or not name.strip() or not value.strip():
        raise ImproperlyConfigured(
            f"DJANGO_SECURE_PROXY_SSL_HEADER={raw!r}: use the form 'X-Forwarded-Proto: https', or 'off'."
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), value.strip()


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(
    os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "off" if DEBUG else "X-Forwarded-Proto: https")
)
# Health probes come over plain HTTP from inside the stack; they must not be redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Health ---------------------------------------------------------------------------------------------------------
# /readyz answers within about 2 s even when a dependency hangs; each check gets this long (seconds).
HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT") or "1.5")
# The worker writes a heartbeat to Redis this often; /readyz wants one younger than WORKER_HEARTBEAT_MAX_AGE.
WORKER_HEARTBEAT_INTERVAL = env_int("WORKER_HEARTBEAT_INTERVAL", 10)
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 30)

# --- Logging --------------------------------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id; task_id in the worker).
# Default: json in production, plain text in the demo.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {"()": "config.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "config.logs.StderrHandler", "formatter": LOG_FORMAT, "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every page at INFO; pyHanko logs a traceback for every untrusted signature it checks.
        "weasyprint.progress": {"level": "WARNING"},
        "pyhanko.sign.validation.generic_cms": {"level": "ERROR"},
    },
}

SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())

# --- Error reporting (optional) ---------------------------------------------------------------------------------
# Sentry only when SENTRY_DSN is set; no personal data (user names, e-mail, IP addresses, cookies) is sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        environment=os.environ.get("SENTRY_ENVIRONMENT") or FIRSTSLICE_ENVIRONMENT or None,
        traces_sample_rate=0.0,
    )
