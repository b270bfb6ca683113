"""Health checks for /healthz: each returns a Check; no patient data, no secrets."""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from intake.env import redis_db_url
from intake.models import WorkerHeartbeat

# Worker queue groups that must have a live worker for intake to make progress.
REQUIRED_WORKERS = ("asr", "llm", "default", "beat")


@dataclass
class Check:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return Check(ok=True)
    except Exception as e:
        return Check(ok=False, error=f"database unreachable: {type(e).__name__}")


def check_redis() -> Check:
    detail: dict[str, Any] = {}
    for name, db in (
        ("broker", settings.REDIS_BROKER_DB),
        ("channels", settings.REDIS_CHANNELS_DB),
    ):
        try:
            client = redis.Redis.from_url(
                redis_db_url(settings.REDIS_URL, db), socket_connect_timeout=2, socket_timeout=2
            )
            client.ping()
            if name == "broker":
                detail["queued"] = {q: int(client.llen(q)) for q in ("asr", "llm", "default")}
            client.close()
        except Exception as e:
            return Check(
                ok=False, detail=detail, error=f"redis ({name}) unreachable: {type(e).__name__}"
            )
    return Check(ok=True, detail=detail)


def check_workers() -> Check:
    stale_after = timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
    now = timezone.now()
    seen: dict[str, dict[str, Any]] = {}
    for hb in WorkerHeartbeat.objects.all():
        alive = now - hb.last_seen <= stale_after
        for queue in hb.queues.split(","):
            entry = seen.setdefault(queue, {"alive": 0, "stale": 0, "models": []})
            entry["alive" if alive else "stale"] += 1
            if alive and hb.model_id:
                entry["models"].append(hb.model_id)
    missing = [q for q in REQUIRED_WORKERS if not seen.get(q, {}).get("alive")]
    error = f"no live worker for: {', '.join(missing)}" if missing else ""
    return Check(ok=not missing, detail=seen, error=error)


def check_models() -> Check:
    paths: dict[str, Path | None] = {
        "asr": settings.ASR_MODEL_PATH,
        "llm": settings.LLM_MODEL_PATH,
    }
    if settings.LLM_MMPROJ_PATH is not None:
        paths["mmproj"] = settings.LLM_MMPROJ_PATH
    detail = {name: {"file": p.name, "present": p.is_file()} for name, p in paths.items() if p}
    missing = [name for name, d in detail.items() if not d["present"]]
    error = f"model file missing: {', '.join(missing)}" if missing else ""
    return Check(ok=not missing, detail=detail, error=error)


def check_disk() -> Check:
    root: Path = settings.MEDIA_ROOT
    probe = root if root.exists() else root.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError as e:
        return Check(ok=False, error=f"media volume unreadable: {type(e).__name__}")
    free_mb = usage.free // (1024 * 1024)
    ok = free_mb >= settings.MIN_FREE_DISK_MB
    error = "" if ok else f"only {free_mb} MB free for media (minimum {settings.MIN_FREE_DISK_MB})"
    return Check(ok=ok, detail={"free_mb": free_mb}, error=error)


def run_checks() -> dict[str, Check]:
    database = check_database()
    return {
        "database": database,
        "redis": check_redis(),
        "workers": check_workers()
        if database.ok
        else Check(ok=False, error="unknown: database unreachable"),
        "models": check_models(),
        "disk": check_disk(),
    }


def report() -> tuple[bool, dict[str, Any]]:
    checks = run_checks()
    healthy = all(c.ok for c in checks.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {name: asdict(c) for name, c in checks.items()},
    }
    return healthy, body
