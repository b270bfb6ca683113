"""Fault injection on the real pipeline: real `asr`/`llm` Celery worker subprocesses with the
bundled models, short leases and grace periods through the workers' environment, and the
sweeper called directly from the test (`intake.pipeline.sweeper.sweep`) instead of beat + a
default worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
import redis
from channels.layers import channel_layers
from django.conf import settings
from django.db import connection as django_connection
from django.test import override_settings

from intake.celery import app as celery_app
from intake.env import redis_db_url
from intake.models import AIDraft, ProcessingStep, Visit
from intake.models import Transcript as TranscriptRow
from intake.pipeline.submit import submit_visit
from intake.pipeline.sweeper import sweep
from intake.states import VisitStatus
from tests.conftest import TEST_BROKER_DB, TEST_CHANNELS_DB
from tests.factories import add_recording, make_visit
from tests.harness import Worker, start_worker, wait_until
from tests.test_pipeline_workers import spoken_webm
from tests.tools import need_tool

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

GRACE = 2.0


def worker_env(**extra: str) -> dict[str, str]:
    return {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MEDIA_ENCRYPTION_KEY_FILE": str(settings.MEDIA_ENCRYPTION_KEY_FILE),
        "LLM_MAX_TOKENS": "320",
        "SWEEP_GRACE_SECONDS": str(int(GRACE)),
        **extra,
    }


# A lease lasts the task's hard limit plus the worker's margin: 30 s + 1 s here. The hard limit
# travels with the task, so the test sends the first task with these limits (short_limits())
# and a worker that will be killed gets the margin; the sweeper's re-sends and the other
# workers keep the default limits. The killed worker's own message can be redelivered to the
# next worker with these limits, so they must still fit a real transcription on a loaded CI
# machine (about 6 s here, alone): 30 s gives a 23 s soft limit. At 20 s the soft limit was
# 5 s (30 s before the hard limit) and CI failed the visit as too slow.
SHORT_LEASE = {
    "PROCESSING_BASE_SECONDS": "30",
    "PROCESSING_SECONDS_PER_AUDIO_SECOND": "0",
    "PROCESSING_LEASE_MARGIN_SECONDS": "1",
}


def short_limits() -> Any:
    """The test process sends tasks with SHORT_LEASE's time limits while this is active."""
    return override_settings(
        PROCESSING_BASE_SECONDS=int(SHORT_LEASE["PROCESSING_BASE_SECONDS"]),
        PROCESSING_SECONDS_PER_AUDIO_SECOND=0.0,
    )


def finished(visit_id: int) -> bool:
    return Visit.objects.get(pk=visit_id).status in (VisitStatus.READY, VisitStatus.FAILED)


def sweep_until(predicate: object, timeout: float, what: str, workers: list[Worker]) -> None:
    """Run the sweeper every second until `predicate()` holds."""

    def check() -> bool:
        if predicate():  # type: ignore[operator]
            return True
        sweep(GRACE)
        time.sleep(0.8)
        return bool(predicate())  # type: ignore[operator]

    try:
        wait_until(check, timeout, what, workers)
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}\n--- steps\n{step_rows()}\n--- processes\n{processes()}"
        ) from None


def step_rows() -> str:
    return "\n".join(
        str(row)
        for row in ProcessingStep.objects.order_by("pk").values_list(
            "visit_id", "step", "attempt", "status", "lease_owner", "lease_expires_at"
        )
    )


def processes() -> str:
    ps = subprocess.run(["ps", "-eo", "pid,ppid,pgid,stat,args"], capture_output=True, text=True)
    return "\n".join(line for line in ps.stdout.splitlines() if "celery" in line)


def assert_ready_once(visit_id: int) -> None:
    visit = Visit.objects.get(pk=visit_id)
    assert visit.status == VisitStatus.READY, visit.status_reason
    assert TranscriptRow.objects.filter(visit_id=visit_id, is_current=True).count() == 1
    assert AIDraft.objects.filter(visit_id=visit_id, is_current=True).count() == 1
    assert set(ProcessingStep.objects.filter(visit_id=visit_id).values_list("step", "status")) <= {
        ("asr", "done"),
        ("llm", "done"),
    }


def loaded_count(worker: Worker) -> int:
    return worker.output().count("loaded ")


def test_it_reclaims_the_lease_of_a_whole_killed_asr_worker(
    tmp_path: Path,
    media: Path,
) -> None:
    visit = make_visit()
    add_recording(visit, spoken_webm(tmp_path, repeat=4), parts=3, mime="audio/webm;codecs=opus")
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    env = worker_env()
    first = start_worker("asr", first_dir, env=worker_env(**SHORT_LEASE))
    workers = [first]
    try:
        with short_limits():
            submit_visit(visit.pk, None)
        step = ProcessingStep.objects.filter(visit=visit, step="asr")
        wait_until(lambda: step.filter(status="running").exists(), 90, "asr running", workers)
        killed = step.get()
        os.killpg(first.popen.pid, signal.SIGKILL)
        first.popen.wait(10)
        assert step.get().status == "running", "the transcription finished before the kill"
        assert killed.lease_expires_at is not None
        # Nothing happens while the lease is live: the sweeper leaves the step alone.
        assert sweep(GRACE) == {"reclaimed": 0, "requeued": 0}
        workers = [start_worker(q, second_dir, env=env) for q in ("asr", "llm")]
        sweep_until(lambda: finished(visit.pk), 240, "the visit after the kill", workers)
    finally:
        for worker in [first, *workers]:
            worker.stop()
    assert_ready_once(visit.pk)
    asr = step.get()
    assert asr.attempt == killed.attempt + 1  # reclaimed once, then done by the new worker
    assert asr.lease_owner != killed.lease_owner
    assert TranscriptRow.objects.filter(visit=visit).count() == 1
    for worker in workers:
        assert loaded_count(worker) == 1, worker.output()[-2000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(port: int) -> subprocess.Popen[bytes]:
    argv = [need_tool("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
    popen = subprocess.Popen(
        [*argv, "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    wait_until(lambda: _pings(client), 10, "the private redis to answer")
    client.close()
    return popen


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


def reset_broker_connections() -> None:
    """Drop the test process's cached broker connections and channel layers."""
    app: Any = celery_app
    kombu.pools.reset()  # closes and forgets kombu's cached connection/producer pools
    app._pool = None
    app.amqp._producer_pool = None
    channel_layers.backends = {}


@contextlib.contextmanager
def redis_at(url: str) -> Iterator[None]:
    """Point this test process (broker, channel layer) at another Redis; restore afterwards."""
    layers: Any = settings.CHANNEL_LAYERS
    channels_config = layers["default"]["CONFIG"]
    saved = (settings.REDIS_URL, settings.CELERY_BROKER_URL, channels_config["hosts"])
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = redis_db_url(url, TEST_BROKER_DB)
    channels_config["hosts"] = [redis_db_url(url, TEST_CHANNELS_DB)]
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL  # type: ignore[misc]
    reset_broker_connections()
    try:
        yield
    finally:
        settings.REDIS_URL, settings.CELERY_BROKER_URL, channels_config["hosts"] = saved
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL  # type: ignore[misc]
        reset_broker_connections()


def test_it_recovers_visits_queued_in_a_redis_that_restarted_empty(
    tmp_path: Path,
    media: Path,
) -> None:
    audio = spoken_webm(tmp_path)
    visits = [make_visit(), make_visit()]
    for visit in visits:
        add_recording(visit, audio, parts=2, mime="audio/webm;codecs=opus")
    port = free_port()
    url = f"redis://127.0.0.1:{port}"
    server = start_redis(port)
    workers: list[Worker] = []
    try:
        with redis_at(url):
            for visit in visits:
                submit_visit(visit.pk, None)
            broker = redis.Redis.from_url(redis_db_url(url, TEST_BROKER_DB))
            assert broker.llen("asr") == 2  # both messages sit in the private redis
            server.kill()
            server.wait(10)
            server = start_redis(port)  # empty: no --save, no AOF
            assert broker.llen("asr") == 0
            broker.close()
            reset_broker_connections()
            env = worker_env(REDIS_URL=url)
            workers = [start_worker(q, tmp_path, env=env) for q in ("asr", "llm")]
            wait_until(lambda: all(loaded_count(w) == 1 for w in workers), 120, "models", workers)
            sweep_until(lambda: all(finished(v.pk) for v in visits), 300, "both visits", workers)
    finally:
        for worker in workers:
            worker.stop()
        server.kill()
        server.wait(10)
    for visit in visits:
        assert_ready_once(visit.pk)
        assert TranscriptRow.objects.filter(visit=visit).count() == 1
        assert AIDraft.objects.filter(visit=visit).count() == 1
    for worker in workers:
        assert loaded_count(worker) == 1, worker.output()[-2000:]


def test_it_completes_when_the_llm_workers_database_connection_is_terminated(
    tmp_path: Path,
    media: Path,
) -> None:
    visit = make_visit()
    add_recording(visit, spoken_webm(tmp_path), parts=2, mime="audio/webm;codecs=opus")
    workers = [
        start_worker("asr", tmp_path, env=worker_env()),
        # A 31 s llm lease: if the task loses its claim to the broken connection, the sweeper
        # hands the step to the retry soon (this worker enqueues nothing, so its limits are
        # only its lease).
        start_worker(
            "llm",
            tmp_path,
            env=worker_env(PROCESSING_BASE_SECONDS="30", PROCESSING_LEASE_MARGIN_SECONDS="1"),
        ),
    ]
    try:
        submit_visit(visit.pk, None)
        llm = ProcessingStep.objects.filter(visit=visit, step="llm")
        wait_until(lambda: llm.filter(status="running").exists(), 120, "llm running", workers)
        time.sleep(1.0)  # past claim and "summarizing": the worker is generating now
        with django_connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (terminated,) = cursor.fetchone()
        assert terminated >= 1
        assert llm.get().status == "running", "the draft finished before the connection drop"
        sweep_until(lambda: finished(visit.pk), 180, "the visit after the drop", workers)
    finally:
        for worker in workers:
            worker.stop()
    assert_ready_once(visit.pk)
    assert AIDraft.objects.filter(visit=visit).count() == 1
    for worker in workers:
        assert loaded_count(worker) == 1, worker.output()[-2000:]


POISON = "zz-poison-zz"


def test_it_fails_a_visit_that_keeps_crashing_the_llm_worker_and_moves_on(
    tmp_path: Path,
    media: Path,
) -> None:
    # The llm worker's process aborts (as llama.cpp does on a GGML_ASSERT) on any visit whose
    # typed complaint holds the marker; Celery redelivers the task to the next pool child.
    poison = make_visit(typed=f"sore throat {POISON}")
    normal = make_visit(typed="sore throat for two days, no fever")
    env = worker_env(INTAKE_TEST_CRASH_MARKER=POISON, PROCESSING_MAX_ATTEMPTS="2")
    workers = [start_worker("llm", tmp_path, env=env)]
    try:
        submit_visit(poison.pk, None)
        submit_visit(normal.pk, None)
        sweep_until(
            lambda: finished(poison.pk) and finished(normal.pk), 240, "both visits", workers
        )
    finally:
        for worker in workers:
            worker.stop()
    failed = Visit.objects.get(pk=poison.pk)
    assert failed.status == VisitStatus.FAILED
    assert "stopped the AI draft engine 2 times" in failed.status_reason
    step = ProcessingStep.objects.filter(visit=poison, step="llm").order_by("-attempt").first()
    assert step is not None and step.failure_code == "keeps_crashing"
    assert step.attempt == 3  # two takeovers from dead owners counted, then given up
    # The worker crashed twice on the poison visit, yet the next visit in the queue got its
    # draft.
    done = Visit.objects.get(pk=normal.pk)
    assert done.status == VisitStatus.READY, done.status_reason
    assert AIDraft.objects.filter(visit=normal, is_current=True).count() == 1
    assert (
        workers[0].output().count("WorkerLostError") + workers[0].output().count("signal 6") >= 2
    ), workers[0].output()[-3000:]
