"""Settings for Clinic Intake, all from the environment (see docker/.env.example).

INTAKE_ENV picks the mode explicitly:
- dev  (default): what `make run` and the tests use. Local Postgres/Redis, bundled small models,
  keys and certificates under var/ created by the project's own scripts.
- prod (compose): DEBUG off, refuses to start without SECRET_KEY, DATABASE_URL and the media
  key, HTTPS everywhere (HSTS), passes `manage.py check --deploy`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from intake import egress
from intake.env import (
    channel_host,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_optional_path,
    env_path,
    env_required,
    env_str,
    env_timezone,
    raw,
    redis_db_url,
    redis_with_password,
)

# Nothing is downloaded at run time: model hubs stay offline even if a library would try, and
# the tests run every process under the egress guard (INTAKE_EGRESS_GUARD=1).
for _hub in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_hub, "1")
egress.install_from_environment()

BASE_DIR = Path(__file__).resolve().parent.parent

INTAKE_ENV = env_choice("INTAKE_ENV", "dev", ("dev", "prod"))
PROD = INTAKE_ENV == "prod"

DEBUG = env_bool("DEBUG", default=not PROD)
if PROD and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in prod: it shows patient data in error pages.")

if PROD:
    SECRET_KEY = env_required("SECRET_KEY", "sessions and CSRF tokens are signed with it")
else:
    # Fixed and public on purpose: dev data is demo data. prod refuses to start without its own.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-clinic-intake-secret-key-not-for-real-patients")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PROD else ["*"])
if PROD and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the server's LAN names/IPs in prod.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "intake.middleware.PermissionsPolicyMiddleware",
    "intake.middleware.DevHttpsRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a user who also gave a one-time code (the admin requires it: ADMIN_REQUIRE_OTP).
    "django_otp.middleware.OTPMiddleware",
    # Events recorded below a view without the request passed down still know who and where.
    "intake.audit.AuditRequestMiddleware",
    # Login is required for every view unless it is explicitly marked @login_not_required
    # (login and /healthz): a new view cannot leak PHI by forgetting a decorator. Before the
    # CSRF check, so a logged-out tablet gets "log in again" (401), not a CSRF refusal.
    "intake.middleware.SessionAgeMiddleware",
    "intake.middleware.LoginRequiredMiddleware",
    "intake.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "intake.middleware.NoStoreMiddleware",
    "intake.middleware.SlidingSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "intake.urls"
ASGI_APPLICATION = "intake.asgi.application"

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
                "intake.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if PROD:
    _database_url = env_required("DATABASE_URL", "Postgres holds every visit")
else:
    _database_url = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_intake")
_db: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_health_checks=True))
if not str(_db.get("ENGINE", "")).endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
_db_password = raw("DATABASE_PASSWORD")
if _db_password:
    _db["PASSWORD"] = _db_password
# Persistent connections and ASGI threads do not mix (Django runs each request in its own
# thread: a persistent connection per thread is an unbounded number of sessions). The web
# process instead takes connections from a bounded pool (DATABASE_POOL_SIZE, set for daphne by
# `make run` and the compose `web` service): no 8 ms connect per request, and at most that many
# sessions however many requests are in flight. Workers and commands connect per use: a pool
# must not cross Celery's fork into its pool children.
_db["CONN_MAX_AGE"] = 0
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0, minimum=0)
if DATABASE_POOL_SIZE:
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 10,
    }
    _db["CONN_HEALTH_CHECKS"] = False  # the pool checks connections itself
# A fixed test database name (Channels' live server test case would otherwise double the
# test_ prefix, django/channels#2176).
_db["TEST"] = {"NAME": f"test_{_db.get('NAME') or 'clinic_intake'}"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and Channels layer on separate databases -------------------------
# The password comes from REDIS_PASSWORD or REDIS_PASSWORD_FILE (compose: a Docker secret).
REDIS_URL = redis_with_password(
    env_str("REDIS_URL", "redis://127.0.0.1:6379").rstrip("/"), raw("REDIS_PASSWORD")
)
REDIS_BROKER_DB = env_int("REDIS_BROKER_DB", 0, minimum=0)
REDIS_CHANNELS_DB = env_int("REDIS_CHANNELS_DB", 1, minimum=0)
if REDIS_BROKER_DB == REDIS_CHANNELS_DB:
    raise ImproperlyConfigured("REDIS_BROKER_DB and REDIS_CHANNELS_DB must differ.")


CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # socket_timeout None: redis-py 8 reads with a 5 s timeout by default, exactly
            # channels_redis' own 5 s blocking wait for the next message, so every idle nurse
            # WebSocket died after 5 s (django/channels_redis#422, redis/redis-py#4091).
            "hosts": [channel_host(redis_db_url(REDIS_URL, REDIS_CHANNELS_DB))],
            # Events are tiny and only tell browsers to re-fetch; old ones are useless.
            "expiry": 30,
            "group_expiry": 3600,
            "capacity": 500,
        },
    }
}

# --- Celery ------------------------------------------------------------------------------
# Long, idempotent work (transcription, extraction): acknowledge after the task finished so a
# killed worker's message is redelivered, one message at a time per process, and a broker
# visibility timeout longer than the longest hard time limit (else Redis redelivers a task
# that is still running).
CELERY_TASK_HARD_TIME_LIMIT = env_int("CELERY_TASK_HARD_TIME_LIMIT", 1800, minimum=10)
CELERY_BROKER_URL = redis_db_url(REDIS_URL, REDIS_BROKER_DB)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = CELERY_TASK_HARD_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = max(5, CELERY_TASK_HARD_TIME_LIMIT - 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_HARD_TIME_LIMIT * 2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "intake.tasks.transcribe_visit": {"queue": "asr"},
    "intake.tasks.extract_visit": {"queue": "llm"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30, minimum=1)
# The pipeline: per-task time limits scale with the audio (asr) from a floor for loading and
# the LLM; the sweeper re-enqueues visits stuck longer than the grace period with no live lease.
PROCESSING_BASE_SECONDS = env_int("PROCESSING_BASE_SECONDS", 600, minimum=10)
PROCESSING_SECONDS_PER_AUDIO_SECOND = float(env_int("PROCESSING_SECONDS_PER_AUDIO_SECOND", 2))
# How much longer than a task's hard time limit its lease lasts: a live task never loses its
# lease; a killed worker's step is reclaimed by the sweeper this long after its hard limit.
PROCESSING_LEASE_MARGIN_SECONDS = env_int("PROCESSING_LEASE_MARGIN_SECONDS", 60, minimum=1)
# While a step runs, its worker renews the lease this often (intake.pipeline.leases).
PROCESSING_LEASE_RENEW_SECONDS = env_int("PROCESSING_LEASE_RENEW_SECONDS", 30, minimum=1)
SWEEP_INTERVAL_SECONDS = env_int("SWEEP_INTERVAL_SECONDS", 30, minimum=1)
SWEEP_GRACE_SECONDS = env_int("SWEEP_GRACE_SECONDS", 120, minimum=1)
PROCESSING_MAX_RETRIES = env_int("PROCESSING_MAX_RETRIES", 5, minimum=0)
# Lease expiries (killed worker, hard time limit) before the sweeper fails the visit instead.
PROCESSING_MAX_ATTEMPTS = env_int("PROCESSING_MAX_ATTEMPTS", 3, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "intake.tasks.sweep",
        "schedule": float(SWEEP_INTERVAL_SECONDS),
        "options": {"queue": "default", "expires": SWEEP_INTERVAL_SECONDS},
    },
    "purge-expired-media": {
        "task": "intake.tasks.purge_expired_media",
        "schedule": 3600.0,
        "options": {"queue": "default", "expires": 3600},
    },
    "sweep-orphan-media": {
        "task": "intake.tasks.sweep_orphan_media",
        "schedule": 86400.0,
        "options": {"queue": "default", "expires": 3600},
    },
    "verify-audit": {
        "task": "intake.tasks.verify_audit",
        "schedule": 86400.0,
        "options": {"queue": "default", "expires": 3600},
    },
    "prune-heartbeats": {
        "task": "intake.tasks.prune_heartbeats",
        "schedule": 3600.0,
        "options": {"queue": "default", "expires": 3600},
    },
}

# --- Auth, sessions, roles -------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1)
# Sliding idle logoff: requests a person made push the expiry forward (at most once a minute;
# live-update refreshes do not, see intake.middleware.SlidingSessionMiddleware).
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# However active, a login ends after this many hours (a shift); the tablet keeps its outbox.
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Password guessing: after LOGIN_FAILURE_LIMIT failed logins an account, and separately an
# address, is locked for LOGIN_LOCKOUT_MINUTES (django-axes, on /login/ and /admin/login/ alike).
# An admin unlocks early in the admin ("Access attempts": delete) or with
# `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False
# The address audit events record: daphne --proxy-headers puts the client's there behind nginx.
AXES_CLIENT_IP_CALLABLE = "intake.audit.client_ip"
# Quick re-login on shared tablets: after an idle logoff, the same person on the same device
# may continue with a short PIN for this many minutes since their last activity there; after
# a longer gap, an explicit "Log out" or PIN_MAX_FAILURES wrong PINs, the full password.
# 0 turns PINs off.
PIN_RELOGIN_MINUTES = env_int("PIN_RELOGIN_MINUTES", 60, minimum=0)
PIN_MAX_FAILURES = env_int("PIN_MAX_FAILURES", 3, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- HTTPS -----------------------------------------------------------------------------------
# Tablets only get the microphone over HTTPS. Dev (`make run`) serves TLS itself on HTTPS_PORT
# and redirects its plain port there; prod sits behind the TLS proxy (nginx in compose).
TLS_DIR = env_path("TLS_DIR", Path("var/tls"), base=BASE_DIR)
HTTPS_PORT = env_int("HTTPS_PORT", 0, minimum=0)  # 0: no dev redirect (tests, behind a proxy)
HTTP_REDIRECT_EXEMPT = ("/healthz",)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=PROD)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PROD:
    SECURE_SSL_REDIRECT = True
    # Health checks come from compose's own probe over plain HTTP inside the internal network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # LAN host names cannot be on browsers' HSTS preload list.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Content-Security-Policy: nothing inline, nothing from outside the building -------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob: previews photos and recordings before upload without sending them anywhere.
        "img-src": ["'self'", "blob:", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Clinic -----------------------------------------------------------------------------------
CLINIC_NAME = env_str("CLINIC_NAME", "Clinic Intake")
# A second factor for the admin site (user accounts, roles, audit): a code from an
# authenticator app (TOTP) or a printed backup code. Enrol each admin first with
# `manage.py enroll_totp USERNAME`, then turn this on.
ADMIN_REQUIRE_OTP = env_bool("ADMIN_REQUIRE_OTP", False)
OTP_TOTP_ISSUER = CLINIC_NAME
TIME_ZONE = env_timezone("CLINIC_TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

# --- Front desk ------------------------------------------------------------------------------
# Tablets open visits started within this many hours only (nothing older shows on a tablet).
FRONT_DESK_VISIBLE_HOURS = env_int("FRONT_DESK_VISIBLE_HOURS", 18, minimum=1)
# The recorder sends a numbered chunk this often; a lost network keeps them in the tablet.
RECORDING_CHUNK_SECONDS = env_int("RECORDING_CHUNK_SECONDS", 5, minimum=1)
# The clerk is warned this long before the recorder stops at RECORDING_MAX_SECONDS.
RECORDING_WARN_SECONDS = env_int("RECORDING_WARN_SECONDS", 60, minimum=5)
# The browser's echo cancellation / noise suppression / auto gain. Off by default: Whisper copes
# with a noisy waiting room better than with the artefacts these filters leave in speech.
RECORDING_BROWSER_PROCESSING = env_bool("RECORDING_BROWSER_PROCESSING", False)

# --- Nurse queue -------------------------------------------------------------------------------
# Target minutes from arrival to a nurse's review, for ESI 1..5 (comma separated). The queue
# marks visits past their target; the dashboard compares waits with them.
_targets = env_list("ESI_WAIT_TARGET_MINUTES", ["0", "10", "30", "60", "120"])
if len(_targets) != 5 or not all(t.strip().isdigit() for t in _targets):
    raise ImproperlyConfigured(
        f"ESI_WAIT_TARGET_MINUTES needs five whole minute values for ESI 1 to 5, not {_targets}."
    )
ESI_WAIT_TARGET_MINUTES = [int(t) for t in _targets]

# --- Media (encrypted at rest) and models ----------------------------------------------------
MEDIA_ROOT = env_path("MEDIA_ROOT", Path("var/media"), base=BASE_DIR)
if PROD:
    _key = env_optional_path("MEDIA_ENCRYPTION_KEY_FILE", base=BASE_DIR)
    if _key is None:
        raise ImproperlyConfigured(
            "MEDIA_ENCRYPTION_KEY_FILE must be set in prod: recordings and photos are encrypted "
            "at rest with it (create one with `python manage.py generate_media_key FILE`)."
        )
    MEDIA_ENCRYPTION_KEY_FILE = _key
else:
    MEDIA_ENCRYPTION_KEY_FILE = env_path(
        "MEDIA_ENCRYPTION_KEY_FILE", Path("var/media.key"), base=BASE_DIR
    )
AUDIO_RETENTION_DAYS = env_int("AUDIO_RETENTION_DAYS", 30, minimum=1)
PHOTO_RETENTION_DAYS = env_int("PHOTO_RETENTION_DAYS", AUDIO_RETENTION_DAYS, minimum=1)
# Audit events are kept at least this long (HIPAA keeps documentation six years); only
# `manage.py purge_audit`, run as the database owner, removes older ones.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 6 * 366, minimum=6 * 365)
# Media files no row names (and half-written ".part" files) older than this are deleted.
ORPHAN_GRACE_HOURS = env_int("ORPHAN_GRACE_HOURS", 24, minimum=1)
# Working text of a closed visit (transcripts, AI drafts, typed complaint, quoted evidence):
# deleted this many days after arrival; the nurse's review and what fired stay.
TRANSCRIPT_RETENTION_DAYS = env_int("TRANSCRIPT_RETENTION_DAYS", 365, minimum=1)
# Whole closed visits and then patients with no visit left: 0 keeps them (the clinic's
# medical-records policy decides; the record usually lives on in the EHR via FHIR export).
VISIT_RETENTION_DAYS = env_int("VISIT_RETENTION_DAYS", 0, minimum=0)
if VISIT_RETENTION_DAYS and VISIT_RETENTION_DAYS < TRANSCRIPT_RETENTION_DAYS:
    raise ImproperlyConfigured(
        "VISIT_RETENTION_DAYS must be 0 (keep) or at least TRANSCRIPT_RETENTION_DAYS."
    )
MIN_FREE_DISK_MB = env_int("MIN_FREE_DISK_MB", 1024, minimum=0)
# Who may read /healthz details (queue depths, workers, model files, disk) without logging in
# as an admin: the container's own probe and monitoring on these networks.
HEALTHZ_DETAIL_NETWORKS = env_networks("HEALTHZ_DETAIL_NETWORKS", ["127.0.0.0/8", "::1/128"])

MODELS_DIR = env_path("MODELS_DIR", Path("models"), base=BASE_DIR)
ASR_MODEL_PATH = env_path("ASR_MODEL_PATH", MODELS_DIR / "ggml-tiny.en.bin", base=BASE_DIR)
ASR_THREADS = env_int("ASR_THREADS", 2, minimum=1)
ASR_LANGUAGE = env_str("ASR_LANGUAGE", "en")
# The clinic's common drug names, comma separated: given to Whisper as vocabulary so that
# "metformin" is not heard as "met forming".
ASR_VOCABULARY = env_list("ASR_VOCABULARY", [])
# One visit's recordings together; longer audio is refused before recognition starts.
ASR_MAX_AUDIO_SECONDS = env_int("ASR_MAX_AUDIO_SECONDS", 900, minimum=10)
LLM_MODEL_PATH = env_path("LLM_MODEL_PATH", MODELS_DIR / "gemma3-270m-q4_k_m.gguf", base=BASE_DIR)
LLM_MMPROJ_PATH = env_optional_path("LLM_MMPROJ_PATH", base=BASE_DIR)
LLM_THREADS = env_int("LLM_THREADS", 2, minimum=1)
LLM_CONTEXT = env_int("LLM_CONTEXT", 4096, minimum=512)
# Bounds one draft's generation (a record is ~250 tokens; the schema bounds every field).
LLM_MAX_TOKENS = env_int("LLM_MAX_TOKENS", 768, minimum=16)
# The red-flag net's layers in the workers: "rules" (word rules, no model) and "semantic"
# (sentence embeddings, loads all-MiniLM-L6-v2). See docs/RED_FLAGS.md for what each adds.
SAFETY_LAYERS = tuple(env_list("SAFETY_LAYERS", ["rules", "semantic"]))
# Where the meaning match keeps its exemplar vectors (~3 MB; without a writable folder each
# worker embeds ~2,000 exemplars at start, ~9 s on two cores).
SAFETY_CACHE_DIR = env_path("SAFETY_CACHE_DIR", Path("var/cache"), base=BASE_DIR)
if not SAFETY_LAYERS or not set(SAFETY_LAYERS) <= {"rules", "semantic"}:
    raise ImproperlyConfigured(
        f"SAFETY_LAYERS must name rules and/or semantic, got {','.join(SAFETY_LAYERS)!r}"
    )

# --- uploads (intake.uploads): limits on what the tablets send ---------------------------------
# A photo as uploaded (before re-encoding); nginx's client_max_body_size (30m) stays above it.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=64 * 1024)
# Decoded size, checked from the header before any pixel is decoded (decompression bombs).
# Pillow's own global limit (~89 Mpx) stays as a second, higher ceiling.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000, minimum=1_000_000)
# Longest edge kept after re-encoding: enough to read a medication label, sane on disk.
PHOTO_MAX_EDGE = env_int("PHOTO_MAX_EDGE", 2560, minimum=256)
PHOTO_MAX_PER_VISIT = env_int("PHOTO_MAX_PER_VISIT", 12, minimum=1)
# One recording: the recorder stops here (RECORDING_WARN_SECONDS before, the clerk is warned).
# Never longer than the recognizer accepts for a whole visit; by default it follows a lowered
# ASR_MAX_AUDIO_SECONDS, and an explicit value above it stops the server.
RECORDING_MAX_SECONDS = env_int(
    "RECORDING_MAX_SECONDS", min(600, ASR_MAX_AUDIO_SECONDS), minimum=10
)
if RECORDING_MAX_SECONDS > ASR_MAX_AUDIO_SECONDS:
    raise ImproperlyConfigured(
        f"RECORDING_MAX_SECONDS={RECORDING_MAX_SECONDS} exceeds ASR_MAX_AUDIO_SECONDS="
        f"{ASR_MAX_AUDIO_SECONDS}: the recognizer would refuse a recording the tablet allowed."
    )
# One upload chunk (RECORDING_CHUNK_SECONDS of audio; Opus at ~32 kbit/s is ~20 KB per 5 s).
AUDIO_CHUNK_MAX_BYTES = env_int("AUDIO_CHUNK_MAX_BYTES", 2 * 1024 * 1024, minimum=64 * 1024)
# Bytes, not seconds, are what the server can count while chunks arrive: the longest recording
# at 256 kbit/s (8x MediaRecorder's Opus, 2x Safari's AAC) plus 25% for container overhead.
_RECORDING_BYTES_PER_SECOND = 256_000 // 8
AUDIO_RECORDING_MAX_BYTES = env_int(
    "AUDIO_RECORDING_MAX_BYTES",
    RECORDING_MAX_SECONDS * _RECORDING_BYTES_PER_SECOND * 5 // 4,
    minimum=AUDIO_CHUNK_MAX_BYTES,
)
# All recordings of one visit together (re-recordings included until retention removes them):
# one tablet account must not be able to fill the server's disk.
VISIT_AUDIO_MAX_BYTES = env_int(
    "VISIT_AUDIO_MAX_BYTES", 3 * AUDIO_RECORDING_MAX_BYTES, minimum=AUDIO_RECORDING_MAX_BYTES
)

# --- Static files: vendored, served by WhiteNoise (no CDN, no internet) ---------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", Path("staticfiles"), base=BASE_DIR)
# Dev serves straight from the source folders; prod from the collectstatic output in the image.
WHITENOISE_USE_FINDERS = not PROD
WHITENOISE_AUTOREFRESH = DEBUG and not PROD
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PROD
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploads larger than this go to a temporary file instead of memory; media itself is streamed
# into the encrypted store by the upload views.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Logging: no patient data in logs; ids only ------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry URLs only (visit ids, never names).
        "django.request": {"level": "WARNING"},
    },
}
