#!/bin/sh
# The last build step of the runtime stage (run as root from /app): the service user, static
# files, bytecode, the red-flag net's exemplar vectors and the writable directories.
# docker/Dockerfile and docker/Dockerfile.cuda share it.
set -eu

groupadd --system --gid 10001 intake
useradd --system --uid 10001 --gid intake --create-home --home-dir /home/intake \
    --shell /usr/sbin/nologin intake
chmod 0755 /app/docker/entrypoint.sh

# Static files are collected (hashed + compressed for WhiteNoise) with prod settings; these
# values only let the settings load and are not used for anything else.
SECRET_KEY=collectstatic-at-build-time-only \
ALLOWED_HOSTS=localhost \
DATABASE_URL=postgres://build@127.0.0.1:5432/build \
MEDIA_ENCRYPTION_KEY_FILE=/nonexistent/media.key \
STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput --verbosity 0
python -m compileall -q intake inference
python -c "from pathlib import Path; from inference.safety.net import RedFlagNet; \
RedFlagNet.load(cache_dir=Path('/app/safety-cache'))"

# Owned by the service user, so fresh named volumes mounted there inherit that ownership.
install -d -o intake -g intake -m 0750 /data /data/media /app/var /app/var/tls /tls
install -d -m 0755 /models
