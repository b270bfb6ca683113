"""The real thing: one spoken visit (espeak-ng -> webm/opus -> 3 encrypted upload chunks)
through real `asr` and `llm` Celery worker subprocesses with the bundled models, watched through
the project's real ASGI application (/ws/queue/, session-authenticated nurse) the way nurse
browsers watch it. ONE processed visit, several assertions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intake.asgi import application
from intake.events import visit_event
from intake.models import AIDraft, ProcessingStep, Visit
from intake.models import Transcript as TranscriptRow
from intake.pipeline.submit import submit_visit
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import make_user
from tests.factories import add_recording, make_visit
from tests.fixtures_models import CLIP_TEXT
from tests.harness import RedisRecorder, Worker, readable, start_worker, wait_until
from tests.tools import need_tool

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Everything a queue event may carry: ids, state and progress, never patient data.
EVENT_KEYS = {"type", "visit_id", "status", "stage", "progress", "version"}


def spoken_webm(tmp_path: Path, repeat: int = 1) -> bytes:
    need_tool("espeak-ng")
    need_tool("ffmpeg")
    wav, webm = tmp_path / "speech.wav", tmp_path / "speech.webm"
    subprocess.run(
        ["espeak-ng", "-w", str(wav), " ".join([CLIP_TEXT] * repeat)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(wav), "-c:a", "libopus", "-b:a", "32k", str(webm)],
        check=True,
        capture_output=True,
    )
    return webm.read_bytes()


def nurse_session_cookie() -> bytes:
    """A real login session for a nurse, as the browser's cookie header would carry it."""
    client = Client()
    client.force_login(make_user("nurse-pipeline", Role.NURSE))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def nurse_queue_socket() -> WebsocketCommunicator:
    """/ws/queue/ through intake.asgi.application: origin check, session auth, role check."""
    cookie = await database_sync_to_async(nurse_session_cookie)()
    comm = WebsocketCommunicator(
        application,
        "/ws/queue/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    connected, code = await comm.connect(timeout=10)
    assert connected, f"the nurse's socket was refused with {code}"
    return comm


async def events_until_done(
    comm: WebsocketCommunicator, visit_id: int, timeout: float, workers: list[Worker]
) -> list[dict[str, Any]]:
    """Every event the socket delivers until this visit's ready/failed event. Polls with
    receive_nothing: a receive that times out would cancel the consumer under test."""
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not any(
        e.get("visit_id") == visit_id and e.get("status") in ("ready", "failed") for e in received
    ):
        while not await comm.receive_nothing(timeout=0.5):
            received.append(await comm.receive_json_from(timeout=5))
        for worker in workers:
            if worker.popen.poll() is not None:
                raise AssertionError(f"{worker.name} exited early:\n{worker.output()[-3000:]}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in workers)
            raise AssertionError(f"no ready/failed event after {timeout} s: {received}\n{logs}")
    return received


def spoken_visit(tmp_path: Path) -> tuple[int, list[str]]:
    """A visit with one spoken recording; returns its id and the patient data the events
    must never contain."""
    visit = make_visit()
    add_recording(visit, spoken_webm(tmp_path), parts=3, mime="audio/webm;codecs=opus")
    born = visit.patient.date_of_birth
    assert born is not None
    return visit.pk, [visit.patient.name, born.isoformat()]


def assert_processed(visit_id: int) -> None:
    visit = Visit.objects.get(pk=visit_id)
    assert visit.status == VisitStatus.READY, visit.status_reason
    transcript = TranscriptRow.objects.get(visit=visit, is_current=True)
    assert "chest pain" in transcript.text.lower() and "breath" in transcript.text.lower()
    assert transcript.segments.exists()
    assert AIDraft.objects.filter(visit=visit, is_current=True).count() == 1
    assert set(ProcessingStep.objects.filter(visit=visit).values_list("step", "status")) == {
        ("asr", "done"),
        ("llm", "done"),
    }
    # Chest pain + shortness of breath: the rules raised urgency before the LLM finished.
    assert visit.esi_rule_floor is not None and visit.esi_rule_floor <= 2


async def test_it_processes_a_spoken_visit_with_real_workers(
    tmp_path: Path,
    media: Path,
) -> None:
    for path in (settings.ASR_MODEL_PATH, settings.LLM_MODEL_PATH):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: run `make models` first")
    visit_id, patient_data = await database_sync_to_async(spoken_visit)(tmp_path)
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MEDIA_ENCRYPTION_KEY_FILE": str(settings.MEDIA_ENCRYPTION_KEY_FILE),
        "LLM_MAX_TOKENS": "320",
    }
    recorder = RedisRecorder(settings.REDIS_URL)
    workers = [start_worker(q, tmp_path, env=env) for q in ("asr", "llm")]
    try:
        comm = await nurse_queue_socket()
        try:
            await database_sync_to_async(submit_visit)(visit_id, None)
            received = await events_until_done(comm, visit_id, 180, workers)
        finally:
            await comm.disconnect()
    finally:
        # Outermost: a failure above must never leave worker processes behind.
        for worker in workers:
            worker.stop()
        redis_traffic = recorder.stop()

    await database_sync_to_async(assert_processed)(visit_id)
    mine = [e for e in received if e["visit_id"] == visit_id]
    statuses = [
        s for i, s in enumerate(e["status"] for e in mine) if i == 0 or mine[i - 1]["status"] != s
    ]
    assert statuses == ["submitted", "transcribing", "summarizing", "ready"]
    versions = [e["version"] for e in mine]
    assert versions == sorted(versions)
    assert {e["stage"] for e in mine} >= {"asr", "llm"}
    # What the socket relays is exactly what events.visit_event builds: ids, state, progress.
    assert set(visit_event(visit_id, "ready", 1)) == EVENT_KEYS
    for event in received:
        assert set(event) == EVENT_KEYS, event
        text = json.dumps(event).lower()
        assert not any(value.lower() in text for value in patient_data), event
        assert "chest" not in text and "breath" not in text, event
    # No patient data anywhere it could leak to: the workers' logs (application logs,
    # exception messages) and everything sent to Redis during the run (task arguments, broker
    # messages, channel events, cache), base64 bodies decoded. The transcript and draft did
    # reach the database, so these words were there to leak.
    assert len(redis_traffic) > 20 and any("asr" in c for c in redis_traffic)
    phi = [*(v.lower() for v in patient_data), "chest pain", "left arm", "metformin"]
    for source, text in [
        *((f"{w.name} log", w.output()) for w in workers),
        *(("redis", readable(command)) for command in redis_traffic),
    ]:
        found = [term for term in phi if term in text.lower()]
        assert not found, f"{source} holds patient data {found}: {text[:500]}"


def test_it_recovers_when_the_asr_pool_child_is_killed_mid_transcription(
    tmp_path: Path,
    media: Path,
) -> None:
    visit = make_visit()
    # Longer speech so the transcription runs long enough to be killed in the middle.
    add_recording(visit, spoken_webm(tmp_path, repeat=4), parts=3, mime="audio/webm;codecs=opus")
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MEDIA_ENCRYPTION_KEY_FILE": str(settings.MEDIA_ENCRYPTION_KEY_FILE),
        "LLM_MAX_TOKENS": "320",
    }
    workers = [start_worker(q, tmp_path, env=env) for q in ("asr", "llm")]
    try:
        submit_visit(visit.pk, None)
        step = ProcessingStep.objects.filter(visit=visit, step="asr")
        deadline = time.monotonic() + 90
        while not step.filter(status="running").exists():
            assert time.monotonic() < deadline, workers[0].output()[-3000:]
            time.sleep(0.02)
        killed_pid = int(step.get().lease_owner.rpartition(":")[2])
        os.kill(killed_pid, signal.SIGKILL)
        wait_until(
            lambda: (
                Visit.objects.get(pk=visit.pk).status in (VisitStatus.READY, VisitStatus.FAILED)
            ),
            180,
            "the visit to be processed after the kill",
            workers,
        )
    finally:
        for worker in workers:
            worker.stop()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.READY, visit.status_reason
    assert "signal 9" in workers[0].output()  # the pool child really died mid-task
    assert TranscriptRow.objects.filter(visit=visit).count() == 1
    assert TranscriptRow.objects.filter(visit=visit, is_current=True).count() == 1
    assert step.get().status == "done" and killed_pid not in {
        int(step.get().lease_owner.rpartition(":")[2] or 0)
    }
