"""The real thing: one spoken visit (espeak-ng -> webm/opus -> 3 encrypted upload chunks)
through real `asr` and `llm` Celery worker subprocesses with the bundled models, watched from the
channel layer the way nurse browsers watch it. ONE processed visit, several assertions."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from intake.models import AIDraft, ProcessingStep, Visit
from intake.models import Transcript as TranscriptRow
from intake.processing import submit_visit
from intake.states import VisitStatus
from tests.fixtures_models import CLIP_TEXT
from tests.harness import start_worker, wait_until
from tests.test_processing import add_recording, make_visit, media  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def spoken_webm(tmp_path: Path, repeat: int = 1) -> bytes:
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.skip("espeak-ng and ffmpeg are needed")
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


class QueueListener:
    """Collects the events of group "queue" in a thread, as a browser's socket would; draining
    as they come matters because channel-layer messages expire after a minute."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.ready, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        layer: Any = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("queue", channel)
        self.ready.set()
        while not self.stop.is_set():
            try:
                self.events.append(await asyncio.wait_for(layer.receive(channel), 0.5))
            except TimeoutError:
                continue

    def __enter__(self) -> QueueListener:
        self.thread.start()
        assert self.ready.wait(10), "the listener did not join the group"
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(10)


def test_it_processes_a_spoken_visit_with_real_workers(
    tmp_path: Path,
    media: Path,  # noqa: F811
) -> None:
    for path in (settings.ASR_MODEL_PATH, settings.LLM_MODEL_PATH):
        if not Path(path).is_file():
            pytest.fail(f"{path} is missing: run `make models` first")
    visit = make_visit()
    add_recording(visit, spoken_webm(tmp_path), parts=3, mime="audio/webm;codecs=opus")
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MEDIA_ENCRYPTION_KEY_FILE": str(settings.MEDIA_ENCRYPTION_KEY_FILE),
        "LLM_MAX_TOKENS": "320",
    }
    workers = [start_worker(q, tmp_path, env=env) for q in ("asr", "llm")]
    try:
        with QueueListener() as listener:
            submit_visit(visit.pk, None)
            wait_until(
                lambda: (
                    Visit.objects.get(pk=visit.pk).status in (VisitStatus.READY, VisitStatus.FAILED)
                ),
                180,
                "the visit to be processed",
                workers,
            )
            wait_until(
                lambda: any(e["status"] == "ready" for e in listener.events), 10, "ready event"
            )
    finally:
        for worker in workers:
            worker.stop()

    visit.refresh_from_db()
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
    mine = [e for e in listener.events if e["visit_id"] == visit.pk]
    statuses = [
        s for i, s in enumerate(e["status"] for e in mine) if i == 0 or mine[i - 1]["status"] != s
    ]
    assert statuses == ["submitted", "transcribing", "summarizing", "ready"]
    versions = [e["version"] for e in mine]
    assert versions == sorted(versions)
    assert {e["stage"] for e in mine} >= {"asr", "llm"}


def test_it_recovers_when_the_asr_pool_child_is_killed_mid_transcription(
    tmp_path: Path,
    media: Path,  # noqa: F811
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
