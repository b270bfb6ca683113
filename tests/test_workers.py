"""Real Celery workers on the real broker: each queue group starts, loads its model once,
heartbeats, and consumes from its own queue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from intake.models import WorkerHeartbeat
from intake.pipeline.tasks import prune_heartbeats
from tests.harness import start_beat, start_worker, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_it_runs_a_default_worker_that_consumes_its_queue(tmp_path: Path) -> None:
    old = timezone.now() - timedelta(days=3)
    WorkerHeartbeat.objects.create(
        hostname="gone@old-box", queues="asr", pid=1, started_at=old, last_seen=old
    )
    worker = start_worker("default", tmp_path)
    try:
        wait_until(
            lambda: WorkerHeartbeat.objects.filter(hostname="default@test").exists(),
            60,
            "the default worker's heartbeat",
            [worker],
        )
        prune_heartbeats.delay()
        wait_until(
            lambda: not WorkerHeartbeat.objects.filter(hostname="gone@old-box").exists(),
            30,
            "the default worker to run prune_heartbeats",
            [worker],
        )
        hb = WorkerHeartbeat.objects.get(hostname="default@test")
        assert hb.queues == "default"
        assert hb.model_id == ""  # the light worker loads no model
    finally:
        assert worker.stop() in (0, -15)


@pytest.mark.parametrize(
    ("queue", "model_setting"), [("asr", "ASR_MODEL_PATH"), ("llm", "LLM_MODEL_PATH")]
)
def test_it_loads_the_model_once_per_inference_worker(
    tmp_path: Path, queue: str, model_setting: str
) -> None:
    model: Path = getattr(settings, model_setting)
    if not model.is_file():
        pytest.fail(f"{model} is missing: run `make models` first")
    worker = start_worker(queue, tmp_path)
    try:
        wait_until(
            lambda: WorkerHeartbeat.objects.filter(
                hostname=f"{queue}@test", model_loaded_at__isnull=False
            ).exists(),
            120,
            f"the {queue} worker to load its model",
            [worker],
        )
        hb = WorkerHeartbeat.objects.get(hostname=f"{queue}@test")
        assert hb.model_id == f"{queue}: {model.name}"
        first_load = hb.model_loaded_at
        # Heartbeats continue; the model is not loaded again.
        seen = hb.last_seen
        wait_until(
            lambda: WorkerHeartbeat.objects.get(hostname=f"{queue}@test").last_seen > seen,
            15,
            "a second heartbeat",
            [worker],
        )
        assert WorkerHeartbeat.objects.get(hostname=f"{queue}@test").model_loaded_at == first_load
        assert worker.output().count("loaded ") == 1
    finally:
        worker.stop()


def test_it_fails_loudly_when_a_model_file_is_missing(tmp_path: Path) -> None:
    worker = start_worker("llm", tmp_path, env={"LLM_MODEL_PATH": str(tmp_path / "nope.gguf")})
    try:
        # The whole worker stops instead of serving its queue without a model.
        wait_until(lambda: worker.popen.poll() is not None, 60, "the worker to stop", [])
        assert "cannot start: LLM model file not found" in worker.output()
        assert not WorkerHeartbeat.objects.filter(
            hostname="llm@test", model_loaded_at__isnull=False
        ).exists()
    finally:
        worker.stop()


def test_it_runs_beat_with_a_heartbeat(tmp_path: Path) -> None:
    beat = start_beat(tmp_path)
    try:
        wait_until(
            lambda: WorkerHeartbeat.objects.filter(queues="beat").exists(),
            60,
            "beat's heartbeat",
            [beat],
        )
    finally:
        beat.stop()
