"""Selgeo settings, read from the environment.

With no DATABASE_URL and no REDIS_URL Selgeo runs embedded: a SQLite file under
var/, a local-memory cache and Celery tasks run inline. With them it runs on
PostgreSQL, a Redis cache and a Celery worker + beat on the Redis broker.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import cast

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from selgeo.secret_key import DEVELOPMENT_SECRET_KEY, GENERATE_HINT, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


# Under pytest the environment defaults to "test" so that a bare `pytest` behaves like CI.
SELGEO_ENV = os.environ.get("SELGEO_ENV") or ("test" if "pytest" in sys.modules else "development")
if SELGEO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("SELGEO_ENV must be development, test or production")
PRODUCTION = SELGEO_ENV == "production"

# Production refuses to start with a key that anyone may know (`selgeo.secret_key`) or with
# DEBUG on; `check --deploy` reports the development key in any environment (selgeo.checks).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(f"SECRET_KEY must be set in production. {GENERATE_HINT}")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif PRODUCTION and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY {problem}; production refuses to start with it. {GENERATE_HINT}"
    )

DEBUG = env_bool("SELGEO_DEBUG", not PRODUCTION and SELGEO_ENV != "test")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "SELGEO_DEBUG must be off in production: DEBUG shows settings and stack traces"
    )
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Fernet keys for payout and tax secrets at rest, newest first (payouts/encryption.py).
SELGEO_ENCRYPTION_KEYS = [
    k.strip() for k in os.environ.get("SELGEO_ENCRYPTION_KEYS", "").split(",") if k.strip()
]
if PRODUCTION and not SELGEO_ENCRYPTION_KEYS:
    # Outside production a key is derived from SECRET_KEY; in production rotating
    # SECRET_KEY must not make the stored IBANs and tax ids unreadable.
    raise ImproperlyConfigured(
        "SELGEO_ENCRYPTION_KEYS must be set in production: comma-separated Fernet keys, "
        "newest first. Generate one with: python -c 'from cryptography.fernet import "
        "Fernet; print(Fernet.generate_key().decode())'"
    )
for _key in SELGEO_ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError as _exc:
        raise ImproperlyConfigured(
            "SELGEO_ENCRYPTION_KEYS holds a value that is not a Fernet key"
        ) from _exc
SELGEO_BITCOIN_NETWORK = os.environ.get("SELGEO_BITCOIN_NETWORK", "mainnet")
# Payment forwarding (payouts.forwarding): a Bitcoin Core JSON-RPC wallet node per mode,
# `http://user:password@host:port/wallet/<wallet name>`. Live forwards move coins of
# SELGEO_BITCOIN_NETWORK through SELGEO_BITCOIN_RPC_URL; test-mode forwards use their own
# node (testnet, signet or regtest) so that a test key never moves real coins. A mode
# without a node answers 503 PAYMENT_FORWARDING_UNAVAILABLE (the embedded default).
SELGEO_BITCOIN_RPC_URL = os.environ.get("SELGEO_BITCOIN_RPC_URL", "")
SELGEO_BITCOIN_TEST_RPC_URL = os.environ.get("SELGEO_BITCOIN_TEST_RPC_URL", "")
SELGEO_BITCOIN_TEST_NETWORK = os.environ.get("SELGEO_BITCOIN_TEST_NETWORK", "testnet")
SELGEO_BITCOIN_RPC_TIMEOUT_SECONDS = float(
    os.environ.get("SELGEO_BITCOIN_RPC_TIMEOUT_SECONDS") or 30
)
# A forward whose worker has not recorded the node's answer this long after it claimed
# the send is reconciled from the node's wallet (by the forward's label). Longer than the
# RPC timeout, so that a slow worker is never taken for a dead one.
SELGEO_FORWARDING_LEASE_SECONDS = float(os.environ.get("SELGEO_FORWARDING_LEASE_SECONDS") or 300)
# How long a forward's payment address is offered for (payments after it are still forwarded).
SELGEO_FORWARDING_EXPIRY_HOURS = env_int("SELGEO_FORWARDING_EXPIRY_HOURS", 24)


def local_url(host: str, port: int) -> str:
    """The URL a browser on this machine reaches a server listening on host:port with."""
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - read, not bound here
        # Listening on every interface: the loopback address is one of them.
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


# Where `make run` serves (the Makefile passes its HOST and PORT on as these).
SELGEO_HOST = os.environ.get("SELGEO_HOST") or "127.0.0.1"
SELGEO_PORT = env_int("SELGEO_PORT", 8000)
# The public base URL is used in tracking links, emails and the snippet; unset, it is
# where `make run` serves, so that `make run PORT=8101` prints and mails working links.
SELGEO_PUBLIC_URL = (
    os.environ.get("SELGEO_PUBLIC_URL") or local_url(SELGEO_HOST, SELGEO_PORT)
).rstrip("/")

# Where `manage.py selgeo_demo` keeps the demo merchant's raw keys (mode 0600); the demo
# shop page (/demo/shop/) reads them to report its sales.
SELGEO_DEMO_KEYS_FILE = Path(
    os.environ.get("SELGEO_DEMO_KEYS_FILE") or BASE_DIR / "var" / "demo-keys.json"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Refresh tokens are single use: each one is recorded (by id) and blacklisted once used.
    "rest_framework_simplejwt.token_blacklist",
    "accounts",
    "partners",
    "tracking",
    "conversions",
    "payouts",
    "webhooks",
    "dashboard",
    "fx",
    "products",
    "compat.selly.apps.SellyConfig",
    "notifications",
    "dynamic_delivery",
    "stats",
    # Selgeo's own deployment checks (selgeo.checks).
    "selgeo.apps.SelgeoConfig",
]

MIDDLEWARE = [
    "selgeo.api.middleware.RequestIdMiddleware",
    "tracking.middleware.TrackingCorsMiddleware",
    "selgeo.api.middleware.ApiHttpsRequiredMiddleware",
    "selgeo.api.middleware.ApiBodySizeLimitMiddleware",
    "selgeo.api.middleware.ApiQueryStringMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, with a 308 for a POST to a page without its trailing slash.
    "selgeo.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An API path answers the envelope for an unhandled error even with DEBUG on.
    "selgeo.api.middleware.ApiExceptionMiddleware",
]
# A CSRF refusal on an API path is the envelope too (API views are exempt; this is a net).
CSRF_FAILURE_VIEW = "selgeo.api.errors.csrf_failure"

ROOT_URLCONF = "selgeo.urls"
WSGI_APPLICATION = "selgeo.wsgi.application"
ASGI_APPLICATION = "selgeo.asgi.application"

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
                "dashboard.context.dashboard",
            ],
        },
    }
]

# Database: PostgreSQL through DATABASE_URL, else the embedded SQLite file.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # Django binds parameters client-side and never prepares its own queries; the hot
    # paths' hand-written statements ask to be prepared (`selgeo.db.fetch_prepared`),
    # which psycopg honours only when the connection has a threshold. Nothing else is
    # prepared: Django's cursors are client-side. (Behind PgBouncer, use session pooling.)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1_000_000
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SELGEO_SQLITE_PATH", str(BASE_DIR / "var" / "selgeo.sqlite3")),
            # SQLite serialises writers. IMMEDIATE transactions take the write lock at BEGIN,
            # so a transaction never has to upgrade a read lock (which SQLite refuses at
            # once to avoid deadlock) and waiting writers queue within the timeout.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # A file, not shared memory, so that concurrency tests wait for the write lock
            # (SQLITE_BUSY honours the timeout; shared-cache table locks fail at once).
            "TEST": {"NAME": str(BASE_DIR / "var" / "test-selgeo.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (and with it the rate-limit counters): Redis when configured.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("SELGEO_CACHE_PREFIX", "selgeo"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "selgeo",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if SELGEO_ENV == "test":
    # Hashing dominates a test suite that logs in thousands of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "/login/"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Selgeo <no-reply@selgeo.local>")

# API request bodies above this size are refused with 413 before they are read.
SELGEO_MAX_BODY_BYTES = env_int("SELGEO_MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(SELGEO_MAX_BODY_BYTES, 2_621_440)

# HTTPS: in production plain-HTTP API calls are refused. Behind a TLS-terminating proxy
# set SELGEO_TRUST_PROXY=1 so that X-Forwarded-Proto and X-Forwarded-For are honoured.
SELGEO_REQUIRE_HTTPS = env_bool("SELGEO_REQUIRE_HTTPS", PRODUCTION)
SELGEO_TRUST_PROXY = env_bool("SELGEO_TRUST_PROXY", False)
if SELGEO_TRUST_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^api/", r"^v1/", r"^health$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Rate limits (requests in any 60 seconds). SELGEO_RATELIMITS_ENABLED=0 turns them off,
# which only the benchmark does; the numbers themselves are the public contract.
SELGEO_RATELIMITS_ENABLED = env_bool("SELGEO_RATELIMITS_ENABLED", True)
SELGEO_RATE_LIMITS = {
    "tracking": "1000/m",
    "conversions": "120/m",
    "auth": "10/m",
    "general": "300/m",
    # Tracking-link clicks recorded per visitor address; past it links still redirect.
    "links": "60/m",
    # Invitation mails per merchant (both modes) and hour.
    "invitations": "100/h",
    # The AffSpace dialect (/pb, /compat/affspace/), per secret key, as its document says.
    "affspace_get": "100/m",
    "affspace_post": "30/m",
    "affspace_stats": "20/m",
    "affspace_conversions": "1000/m",
    # Payment-forwarding API requests per secret key, every request counted.
    "payment_forwards": "60/m",
    # GET /api/v1/stats and /api/v1/partner/stats, per secret key or user (the vendor
    # reference's figure).
    "stats": "20/m",
}
# Where the moving windows are kept (`selgeo.api.ratelimit`): Redis when configured, else
# this process's memory. Keys start with the prefix, then the namespace, which tests
# set per test.
SELGEO_RATELIMIT_STORAGE_URL = REDIS_URL or "memory://"
SELGEO_RATELIMIT_KEY_PREFIX = os.environ.get("SELGEO_CACHE_PREFIX", "selgeo") + ":ratelimit"
SELGEO_RATELIMIT_NAMESPACE = "selgeo"
# The cache that keeps the per-account login back-off (accounts.login_limit).
RATELIMIT_USE_CACHE = "default"

# Keyed hash for client IPs: clicks keep a hash, never the address.
SELGEO_IP_HASH_KEY = os.environ.get("SELGEO_IP_HASH_KEY", SECRET_KEY)

# A click's INSERT commits without waiting for its WAL flush (PostgreSQL's asynchronous
# commit): a PostgreSQL crash can lose the clicks of its last ~0.6 s (3 x
# wal_writer_delay), never corrupt or half-write one. Conversions, commissions and
# everything else always wait. SELGEO_CLICKS_DURABLE_COMMIT=1 makes clicks wait too.
SELGEO_CLICKS_DURABLE_COMMIT = env_bool("SELGEO_CLICKS_DURABLE_COMMIT", False)

# On PostgreSQL the hot click paths answer at once and each process writes its clicks in
# a batch every SELGEO_CLICKS_BUFFER_MS (`tracking.buffer` explains what that trades);
# 0 writes every click in its own request. Tests write directly unless a test opts in.
SELGEO_CLICKS_BUFFER_MS = env_int("SELGEO_CLICKS_BUFFER_MS", 0 if SELGEO_ENV == "test" else 50)
# How long a process trusts that a key and code (or a link's code) allow a click before
# checking again; the batch itself checks code, partner and program once more.
SELGEO_CLICKS_CACHE_SECONDS = env_int("SELGEO_CLICKS_CACHE_SECONDS", 5)
# Each process listens for changes to keys, merchants, partners, programs and codes
# (`selgeo.changes`), so that what it caches is dropped the moment they change; API keys
# are cached only while it listens. Tests change rows inside
# transactions that never commit, so they opt in where they test this.
SELGEO_LISTEN_FOR_CHANGES = env_bool("SELGEO_LISTEN_FOR_CHANGES", SELGEO_ENV != "test")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["selgeo.api.authentication.MerchantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["selgeo.api.permissions.IsMerchantUser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["selgeo.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["selgeo.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "selgeo.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "selgeo.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "COERCE_DECIMAL_TO_STRING": True,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("SELGEO_JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("SELGEO_JWT_REFRESH_DAYS", 7)),
    # A refresh answers a new refresh token and blacklists the one used (accounts.tokens).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Selgeo API",
    "DESCRIPTION": (
        "Track clicks, report conversions, manage partners and automate your affiliate "
        "program. Every error uses the envelope {statusCode, message, error, code, details}."
    ),
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The document and the docs page are public; a key or token sent along is ignored.
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/(api/)?v1",
    # Several models have a `status`: each choice set gets its own stable component name.
    "ENUM_NAME_OVERRIDES": {
        "ProgramStatusEnum": "partners.models.ProgramStatus",
        "ApplicationStatusEnum": "partners.models.ApplicationStatus",
        "InvitationStatusEnum": "partners.models.InvitationStatus",
        # Every currency field shares the one list, whatever the field's name.
        "CurrencyEnum": "selgeo.currencies.CURRENCY_CODES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "selgeo.api.schema.add_error_responses",
        "selgeo.api.schema.document_server_rules",
        "selgeo.api.schema.document_operations",
    ],
}
# Conversions, commissions and adjustments have their own `status` and `kind` choices.
cast(dict[str, str], SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).update(
    {
        "ConversionStatusEnum": "conversions.models.ConversionStatus",
        "CommissionStatusEnum": "conversions.models.CommissionStatus",
        "AdjustmentStatusEnum": "conversions.models.AdjustmentStatus",
        "TestSessionStatusEnum": "conversions.models.TestSessionStatus",
        "CommissionTypeEnum": "partners.models.CommissionType",
    }
)
# Payouts and their runs have their own `status`; a payout's rail is its account's method.
cast(dict[str, str], SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).update(
    {
        "PayoutStatusEnum": "payouts.run_models.PayoutStatus",
        "PayoutRunStatusEnum": "payouts.run_models.RunStatus",
        "PayoutMethodEnum": "payouts.models.PayoutMethod",
        "PaymentForwardStatusEnum": "payouts.forwarding.serializers.FORWARD_STATUSES",
    }
)

# kombu's filesystem transport, publishing each message file whole.
FILESYSTEM_BROKER_TRANSPORT = "selgeo.celery:FilesystemTransport"


def filesystem_broker_options(folder: Path) -> dict[str, object]:
    """Transport options for kombu's `filesystem://` broker kept in `folder` (created here).

    Producers write to and consumers read from the same queue folder, and the exchange
    bindings live in files, so fanout (remote control such as `ping`) works between
    processes. The transport only polls: a short interval keeps the hand-over quick.
    """
    queue, control, processed = folder / "queue", folder / "control", folder / "processed"
    for path in (queue, control, processed):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
        "processed_folder": str(processed),
        "store_processed": False,
        "polling_interval": 0.1,
    }


# Celery: the Redis broker when configured, else every task runs inline.
# CELERY_BROKER_URL overrides the broker. `filesystem://` needs no server: a worker and
# the processes that queue work share the folder SELGEO_CELERY_BROKER_DIR (default
# var/celery-broker). It holds no unacknowledged messages: a message whose worker is
# killed is gone, and the periodic sweeps find the work again. Tasks run inline unless
# a broker other than the in-process `memory://` is configured (or SELGEO_TASKS_EAGER).
# Under tests they always run inline unless a test starts real workers, so that the
# suite behaves the same with and without Redis and never leaves messages on a broker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "SELGEO_TASKS_EAGER", SELGEO_ENV == "test" or CELERY_BROKER_URL.startswith("memory:")
)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it finished, so a worker that dies mid-task leaves it
# on the broker to be run again; every task is idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem:"):
    CELERY_BROKER_TRANSPORT = FILESYSTEM_BROKER_TRANSPORT
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        filesystem_broker_options(
            Path(os.environ.get("SELGEO_CELERY_BROKER_DIR") or BASE_DIR / "var" / "celery-broker")
        )
    )
# Several deployments (or a test run and its worker) can share one broker on their own queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("SELGEO_CELERY_QUEUE") or "celery"
# Periodic work, declared in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Commissions past their hold period become approved (batched and idempotent).
    "approve-due-commissions": {
        "task": "conversions.approve_due_commissions",
        "schedule": 300.0,
    },
    # Daily click rollups that keep reports fast on a large click table.
    "rollup-clicks": {
        "task": "tracking.rollup_clicks",
        "schedule": 60.0,
    },
    # The same for conversions and commissions (the stats API and the overview read them).
    "rollup-sales": {
        "task": "conversions.rollup_sales",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Refresh tokens past their expiry leave the outstanding and blacklist tables.
    "flush-expired-tokens": {
        "task": "accounts.flush_expired_tokens",
        "schedule": 6 * 3600.0,
    },
    # Webhook retries that are due, attempts whose worker died, events never dispatched.
    "webhooks-sweep": {
        "task": "webhooks.sweep",
        "schedule": 10.0,
        "options": {"expires": 10.0},
    },
    # Webhook events and attempts past their retention, deleted in bounded batches.
    "webhooks-prune": {
        "task": "webhooks.prune",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
    # Monthly payout schedules: the draft run of each merchant whose payout day is today
    # (idempotent per merchant, mode and month, so an hourly beat is safe).
    "prepare-scheduled-payout-runs": {
        "task": "payouts.prepare_scheduled_runs",
        "schedule": 3600.0,
    },
    # Dynamic delivery retries that are due, and first attempts whose task was lost.
    "dynamic-delivery-sweep": {
        "task": "dynamic_delivery.sweep",
        "schedule": 30.0,
        "options": {"expires": 30.0},
    },
    # Payment forwarding: what arrived at forward addresses, confirmations, forwards.
    "payment-forwarding-watch": {
        "task": "payouts.forwarding_watch",
        "schedule": 5.0,
        "options": {"expires": 5.0},
    },
    # Exchange rates from SELGEO_FX_URL (nothing to do when it is empty).
    "fx-refresh-rates": {
        "task": "fx.refresh_rates",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
}

# Embedded (tasks inline, no broker) `runserver` runs the schedule above in a thread of
# its serving process (`selgeo.scheduler`), so `make run` needs no beat and no worker.
SELGEO_EMBEDDED_SCHEDULER = env_bool(
    "SELGEO_EMBEDDED_SCHEDULER", CELERY_TASK_ALWAYS_EAGER and SELGEO_ENV == "development"
)

# Webhooks. Loopback receivers are allowed outside production (a receiver on this
# machine, in development and in tests); production never allows them.
SELGEO_WEBHOOKS_ALLOW_LOOPBACK = not PRODUCTION and env_bool("SELGEO_WEBHOOKS_ALLOW_LOOPBACK", True)
# Exchange rates: the provider's document (the ECB's eurofxref-daily.xml, or a JSON
# {"base": ..., "rates": {...}} API), fetched every 5 minutes; empty fetches nothing and
# keeps the newest stored set (the shipped ECB snapshot at first). /health shows the
# rates stale once no fetch has confirmed them for SELGEO_FX_STALE_AFTER seconds.
SELGEO_FX_URL = os.environ.get("SELGEO_FX_URL", "")
SELGEO_FX_STALE_AFTER = env_int("SELGEO_FX_STALE_AFTER", 3600)
SELGEO_FX_TIMEOUT_SECONDS = float(os.environ.get("SELGEO_FX_TIMEOUT_SECONDS") or 10)

SELGEO_WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("SELGEO_WEBHOOKS_TIMEOUT_SECONDS") or 15)
# A claimed delivery is presumed lost when its worker has not answered by the timeout
# plus this margin; the sweep then tries it again.
SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS = float(
    os.environ.get("SELGEO_WEBHOOKS_CLAIM_MARGIN_SECONDS") or 30
)
# Extra CA certificates (a PEM file) trusted for webhook HTTPS; empty for the usual bundle.
SELGEO_WEBHOOKS_CA_BUNDLE = os.environ.get("SELGEO_WEBHOOKS_CA_BUNDLE", "")
# How webhook hosts are resolved (a dotted path); tests give fake DNS answers through it.
SELGEO_WEBHOOKS_RESOLVER = "webhooks.ssrf.system_resolve"
# Delivery in batches: one worker process sends on this many threads at once, and at
# most SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY requests are in flight to any one endpoint, so
# one merchant's receiver is never flooded and a slow one holds only its own share.
SELGEO_WEBHOOKS_SEND_THREADS = env_int("SELGEO_WEBHOOKS_SEND_THREADS", 32)
SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY = env_int("SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY", 4)
# How long one delivery task keeps claiming new work before it hands over to the next.
SELGEO_WEBHOOKS_PUMP_SECONDS = float(os.environ.get("SELGEO_WEBHOOKS_PUMP_SECONDS") or 20)
# A host's checked address is reused for this long; then it is resolved and checked again.
SELGEO_WEBHOOKS_DNS_CACHE_SECONDS = float(os.environ.get("SELGEO_WEBHOOKS_DNS_CACHE_SECONDS") or 30)
# History: events and their attempts are deleted after SELGEO_WEBHOOKS_RETENTION_DAYS;
# an event some endpoint never received (failed, awaiting a replay) is kept for
# SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS. The hourly task deletes in batches of
# SELGEO_WEBHOOKS_PRUNE_BATCH rows, each in a short transaction of its own.
SELGEO_WEBHOOKS_RETENTION_DAYS = env_int("SELGEO_WEBHOOKS_RETENTION_DAYS", 30)
SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS = env_int("SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS", 90)
SELGEO_WEBHOOKS_PRUNE_BATCH = env_int("SELGEO_WEBHOOKS_PRUNE_BATCH", 1000)
# /health reports "degraded" once more deliveries than this are due and not yet sent.
SELGEO_WEBHOOKS_BACKLOG_THRESHOLD = env_int("SELGEO_WEBHOOKS_BACKLOG_THRESHOLD", 10000)
cast(dict[str, str], SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})).update(
    {
        "WebhookEndpointStatusEnum": "webhooks.models.EndpointStatus",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "selgeo.api.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SELGEO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
