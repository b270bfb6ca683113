"""Celery worker process wiring: which model a worker loads, and its heartbeat.

A worker is started for one queue group (`-Q asr`, `-Q llm`, `-Q default`). The main process
learns its node name and queues at start-up and passes them to its pool children through the
environment (children are forked from it). Each pool child loads the model its queues need
exactly once, at start, so a task never pays the load. The main process writes a heartbeat row
every WORKER_HEARTBEAT_SECONDS for /healthz.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

from celery.signals import beat_init, celeryd_init, worker_process_init, worker_ready
from django.conf import settings

from inference.asr import WhisperEngine
from inference.llm_engine import LlmEngine
from inference.safety.net import RedFlagNet

log = logging.getLogger(__name__)

_ENV_NODE = "INTAKE_WORKER_NODE"
_ENV_QUEUES = "INTAKE_WORKER_QUEUES"

# The engines loaded in this process, by queue; tasks fetch them with `engine()`.
_engines: dict[str, Any] = {}


def engine(queue: str) -> Any:
    """The model engine this worker process loaded for `queue`."""
    try:
        return _engines[queue]
    except KeyError:
        raise RuntimeError(f"this worker process has no {queue} model loaded") from None


def asr_engine() -> WhisperEngine:
    """The speech engine this worker process loaded."""
    loaded = engine("asr")
    assert isinstance(loaded, WhisperEngine)
    return loaded


def llm_engine() -> LlmEngine:
    """The draft engine this worker process loaded."""
    loaded = engine("llm")
    assert isinstance(loaded, LlmEngine)
    return loaded


def safety_net() -> RedFlagNet | None:
    """The red-flag net this worker process loaded (None: word rules only)."""
    net = _engines.get("safety")
    return net if isinstance(net, RedFlagNet) else None


def _queues_from_options(options: dict[str, Any] | None) -> list[str]:
    queues = (options or {}).get("queues") or []
    if isinstance(queues, str):
        queues = queues.split(",")
    return [q.strip() for q in queues if q and q.strip()]


@celeryd_init.connect
def _remember_identity(sender: str | None = None, options: Any = None, **_: Any) -> None:
    os.environ[_ENV_NODE] = sender or f"worker@{os.uname().nodename}"
    os.environ[_ENV_QUEUES] = ",".join(_queues_from_options(options)) or "default"


def load_engines(queues: list[str]) -> dict[str, Any]:
    from intake.pipeline.engines import asr_config, llm_config

    loaded: dict[str, Any] = {}
    if "asr" in queues:
        asr = WhisperEngine(asr_config())
        asr.load()
        loaded["asr"] = asr
    if "llm" in queues:
        llm = LlmEngine(llm_config())
        llm.load()
        loaded["llm"] = llm
    if "asr" in queues or "llm" in queues:
        # The red-flag net screens every transcript (asr) and typed complaint (llm).
        loaded["safety"] = RedFlagNet.load(
            layers=settings.SAFETY_LAYERS, cache_dir=settings.SAFETY_CACHE_DIR
        )
    return loaded


@worker_process_init.connect
def _load_models(**_: Any) -> None:
    from django.db import close_old_connections
    from django.utils import timezone

    from intake.models import WorkerHeartbeat

    queues = os.environ.get(_ENV_QUEUES, "default").split(",")
    # A forked child must not reuse the parent's database socket.
    close_old_connections()
    try:
        _engines.update(load_engines(queues))
    except Exception as e:
        # Celery logs and swallows exceptions from this signal, which would leave a worker
        # consuming tasks without its model. Stop the whole worker instead, loudly: the
        # supervisor (compose, `make run`) shows it and /healthz reports the queue unserved.
        log.critical("worker %s cannot start: %s", os.environ.get(_ENV_NODE), e)
        os.kill(os.getppid(), signal.SIGTERM)
        os._exit(1)
    if _engines:
        model_ids = ", ".join(
            f"{q}: {e.config.model_path.name}"
            for q, e in sorted(_engines.items())
            if hasattr(e, "config")
        )
        log.info("worker %s loaded %s", os.environ.get(_ENV_NODE), model_ids)
        now = timezone.now()
        # The main process may not have written its first heartbeat yet: create the row.
        WorkerHeartbeat.objects.update_or_create(
            hostname=os.environ.get(_ENV_NODE, "worker"),
            defaults={"model_id": model_ids, "model_loaded_at": now},
            create_defaults={
                "model_id": model_ids,
                "model_loaded_at": now,
                "queues": ",".join(queues),
                "pid": os.getpid(),
                "started_at": now,
                "last_seen": now,
            },
        )


def _beat_forever(node: str, queues: str, stop: threading.Event) -> None:
    from django.db import close_old_connections
    from django.utils import timezone

    from intake.models import WorkerHeartbeat

    started = timezone.now()
    while not stop.is_set():
        try:
            now = timezone.now()
            WorkerHeartbeat.objects.update_or_create(
                hostname=node,
                defaults={"queues": queues, "pid": os.getpid(), "last_seen": now},
                create_defaults={
                    "queues": queues,
                    "pid": os.getpid(),
                    "last_seen": now,
                    "started_at": started,
                },
            )
        except Exception:
            # The database may be restarting; the next beat retries. /healthz shows the gap.
            log.warning("heartbeat for %s failed", node, exc_info=True)
        finally:
            close_old_connections()
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


def start_heartbeat(node: str, queues: str) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=_beat_forever, args=(node, queues, stop), name="heartbeat", daemon=True
    ).start()
    return stop


@worker_ready.connect
def _worker_heartbeat(sender: Any = None, **_: Any) -> None:
    start_heartbeat(os.environ.get(_ENV_NODE, "worker"), os.environ.get(_ENV_QUEUES, "default"))


@beat_init.connect
def _beat_heartbeat(sender: Any = None, **_: Any) -> None:
    start_heartbeat(f"beat@{os.uname().nodename}", "beat")
