"""Settings for Clinic Intake, all from the environment (see docker/.env.example).

INTAKE_ENV picks the mode explicitly:
- dev  (default): what `make run` and the tests use. Local Postgres/Redis, bundled small models,
  keys and certificates under var/ created by the project's own scripts.
- prod (compose): DEBUG off, refuses to start without SECRET_KEY, DATABASE_URL and the media
  key, HTTPS everywhere (HSTS), passes `manage.py check --deploy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from intake.env import (
    channel_host,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_optional_path,
    env_path,
    env_required,
    env_str,
    env_timezone,
    raw,
    redis_db_url,
)

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
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "intake.middleware.DevHttpsRedirectMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login is required for every view unless it is explicitly marked @login_not_required
    # (login and /healthz): a new view cannot leak PHI by forgetting a decorator. Before the
    # CSRF check, so a logged-out tablet gets "log in again" (401), not a CSRF refusal.
    "intake.middleware.LoginRequiredMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "intake.middleware.NoStoreMiddleware",
    "intake.middleware.SlidingSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
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
# Sliding idle logoff: requests push the expiry forward (at most once a minute, see
# intake.middleware.SlidingSessionMiddleware).
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
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
if env_bool("BEHIND_TLS_PROXY", default=PROD):
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
MIN_FREE_DISK_MB = env_int("MIN_FREE_DISK_MB", 1024, minimum=0)

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
