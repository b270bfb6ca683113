#!/bin/sh
# Clinic Intake container entrypoint. The first argument picks the role:
#
#   migrate         wait for Postgres, apply migrations as the database owner, then create or
#                   update the app's role ($DATABASE_APP_ROLE, default intake_app, password
#                   from $DATABASE_APP_PASSWORD_FILE): upgrades need nothing but `up -d`.
#   web             wait for Postgres, then run Daphne (HTTP + WebSockets) on :8000.
#   worker-asr      Celery worker for the `asr` queue (whisper.cpp), one process.
#   worker-llm      Celery worker for the `llm` queue (llama.cpp / Gemma), one process.
#   worker-default  Celery worker for the `default` queue (light tasks), two processes.
#   beat            Celery beat (periodic tasks); run exactly one.
#   certs [--host NAME ...] [--ip IP ...]
#                   create/reuse the clinic CA and the server certificate in $TLS_DIR and copy
#                   what the proxy needs (not the CA key) to $TLS_EXPORT_DIR.
#   healthcheck     exit 0 when http://127.0.0.1:8000/healthz answers 200 (compose probe).
#   anything else   exec'd as given, e.g. `python manage.py createsuperuser`.
#
# Environment: see docker/.env.example. DB_WAIT_TIMEOUT (seconds, default 60) bounds the wait
# for the database. APP_DIR (default /app) and HEALTHCHECK_URL exist for the tests.
set -eu

cd "${APP_DIR:-/app}"

wait_for_db() {
    python manage.py wait_for_db --timeout "${DB_WAIT_TIMEOUT:-60}"
}

role="${1:-web}"
if [ "$#" -gt 0 ]; then shift; fi

case "$role" in
    migrate)
        wait_for_db
        python manage.py migrate --noinput
        python manage.py grant_app_role "${DATABASE_APP_ROLE:-intake_app}" \
            --password-file "${DATABASE_APP_PASSWORD_FILE:-/run/secrets/db_app_password}"
        ;;
    web)
        wait_for_db
        # A bounded pool of database connections for the web process (see intake/settings.py).
        export DATABASE_POOL_SIZE="${DATABASE_POOL_SIZE:-8}"
        exec daphne -b 0.0.0.0 -p 8000 --proxy-headers intake.asgi:application "$@"
        ;;
    worker-asr)
        wait_for_db
        exec celery -A intake worker -Q asr -c 1 -n 'asr@%h' --loglevel "${LOG_LEVEL:-INFO}" "$@"
        ;;
    worker-llm)
        wait_for_db
        exec celery -A intake worker -Q llm -c 1 -n 'llm@%h' --loglevel "${LOG_LEVEL:-INFO}" "$@"
        ;;
    worker-default)
        wait_for_db
        exec celery -A intake worker -Q default -c 2 -n 'default@%h' \
            --loglevel "${LOG_LEVEL:-INFO}" "$@"
        ;;
    beat)
        wait_for_db
        exec celery -A intake beat --schedule /tmp/celerybeat-schedule \
            --loglevel "${LOG_LEVEL:-INFO}" "$@"
        ;;
    certs)
        if [ "$#" -eq 0 ]; then
            # Inside a container the host name and addresses are the container's own, which no
            # tablet can use: the server's real LAN name/IP must be given.
            echo "usage: certs --host <server LAN name> [--host ...] --ip <server LAN IP> [--ip ...]" >&2
            exit 64
        fi
        tls_dir="${TLS_DIR:-/app/var/tls}"
        export_dir="${TLS_EXPORT_DIR:-/tls}"
        python manage.py make_certs --dir "$tls_dir" "$@"
        umask 077
        for name in server.crt server.key ca.crt ca.der.crt; do
            cp "$tls_dir/$name" "$export_dir/.$name.tmp"
            mv -f "$export_dir/.$name.tmp" "$export_dir/$name"
        done
        chmod 0644 "$export_dir/server.crt" "$export_dir/ca.crt" "$export_dir/ca.der.crt"
        echo "copied server.crt, server.key, ca.crt and ca.der.crt to $export_dir (the proxy's volume)"
        ;;
    healthcheck)
        exec python - <<'EOF'
import os
import sys
import urllib.request

# Django checks the Host header against ALLOWED_HOSTS, so ask with a name it accepts.
hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
request = urllib.request.Request(url, headers={"Host": host, "Accept": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # 503 (some check failed), refused, timeout
    print(f"healthz: {exc}", file=sys.stderr)
    sys.exit(1)
EOF
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
