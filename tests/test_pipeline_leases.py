"""Leases that outlast the work, and progress the queue can show (intake.pipeline.leases,
intake.pipeline.progress): in-process, against the real database and channel layer."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import timezone

from intake.events import QUEUE_GROUP
from intake.models import ProcessingStep, StepName
from intake.pipeline import leases, runs, steps
from intake.pipeline.enqueue import time_limits
from intake.pipeline.progress import Progress
from intake.pipeline.submit import submit_visit
from intake.roles import Role
from tests.conftest import make_user
from tests.factories import FakeAsr, add_recording, make_visit, silent_wav

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_leaves_a_short_time_limit_most_of_its_budget(settings: Any) -> None:
    settings.PROCESSING_SECONDS_PER_AUDIO_SECOND = 2.0
    settings.PROCESSING_BASE_SECONDS = 30
    assert time_limits("asr", 0.0) == (23, 30)  # not 5 s of work before the soft limit
    settings.PROCESSING_BASE_SECONDS = 600
    assert time_limits("asr", 60.0) == (690, 720)  # 30 s to fail the visit cleanly
    assert time_limits("llm", 60.0) == (570, 600)  # the audio length is the asr step's only


def test_it_never_gives_a_lease_shorter_than_the_tasks_hard_limit(settings: Any) -> None:
    settings.PROCESSING_LEASE_MARGIN_SECONDS = 60
    estimated = time_limits("asr", 0.0)[1]
    # The task was sent when the visit had 20 minutes of audio; a recording was discarded
    # since, so the estimate now is shorter than the limit the task really runs under.
    assert leases.lease_seconds("asr", 0.0, estimated + 2400) == estimated + 2400 + 60
    assert leases.lease_seconds("asr", 0.0, None) == estimated + 60
    assert leases.lease_seconds("asr", 0.0, 5) == estimated + 60


def test_it_renews_the_lease_while_the_engine_runs(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PROCESSING_LEASE_RENEW_SECONDS = 1
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.ASR, 3)
    assert claim is not None
    first = ProcessingStep.objects.get(pk=claim.step_id).lease_expires_at
    with leases.kept(claim, 3) as beat:
        time.sleep(4.5)  # longer than the lease itself: only renewals keep it
        live = ProcessingStep.objects.get(pk=claim.step_id).lease_expires_at
        assert live is not None and live > timezone.now()
    assert beat.renewals >= 3
    assert not beat.is_alive()
    renewed = ProcessingStep.objects.get(pk=claim.step_id).lease_expires_at
    assert first is not None and renewed is not None and renewed > first + timedelta(seconds=3)
    monkeypatch.setenv("INTAKE_WORKER_NODE", "another-worker")
    assert steps.claim(visit.pk, StepName.ASR, 3) is None  # still ours: nobody took it


def test_it_stops_renewing_a_lease_it_lost(settings: Any) -> None:
    settings.PROCESSING_LEASE_RENEW_SECONDS = 1
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.ASR, 3)
    assert claim is not None
    with leases.kept(claim, 3) as beat:
        ProcessingStep.objects.update(lease_owner="someone-else")  # the sweeper gave it away
        time.sleep(1.5)
        assert not beat.is_alive()
    assert beat.renewals == 0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_it_throttles_progress_to_two_events_a_second() -> None:
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.LLM, 60)
    assert claim is not None
    clock = Clock()
    progress = Progress(claim, clock=clock)
    for tokens in range(1, 101):  # 100 tokens in one second
        clock.now = tokens / 100
        progress(tokens / 320)
    assert progress.sent == 2  # at t=0.01 and t=0.51
    clock.now = 5.0
    progress(0.1)  # going back (a retry starts over) never moves the bar back
    assert progress.sent == 2
    progress(0.9)
    assert progress.sent == 3
    assert ProcessingStep.objects.get(pk=claim.step_id).progress == pytest.approx(0.9)


def test_it_records_no_progress_for_a_step_it_no_longer_owns() -> None:
    visit = make_visit()
    claim = steps.claim(visit.pk, StepName.LLM, 60)
    assert claim is not None
    ProcessingStep.objects.update(lease_owner="someone-else")
    progress = Progress(claim)
    progress(0.5)
    assert progress.sent == 0
    assert ProcessingStep.objects.get(pk=claim.step_id).progress == 0.0


def test_it_publishes_progress_events_while_transcribing(media: Any) -> None:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(QUEUE_GROUP, channel)
    visit = make_visit()
    add_recording(visit, silent_wav())
    submit_visit(visit.pk, None)
    assert runs.run_transcription(visit.pk, object(), FakeAsr()) == "done"
    received = []
    while True:
        try:
            received.append(async_to_sync(_receive)(layer, channel))
        except TimeoutError:
            break
    asr = [e for e in received if e["visit_id"] == visit.pk and e["stage"] == "asr"]
    seen = [(e["status"], e["progress"]) for e in asr]
    # Starting at 0, the engine's own 100 % while still transcribing, then the state change.
    assert seen[0] == ("transcribing", 0.0)
    assert ("transcribing", 1.0) in seen
    assert seen[-1] == ("summarizing", 1.0)
    assert [p for _, p in seen] == sorted(p for _, p in seen)


async def _receive(layer: Any, channel: str) -> dict[str, Any]:
    import asyncio

    return dict(await asyncio.wait_for(layer.receive(channel), timeout=1.0))


def test_it_shows_a_running_steps_progress_in_the_queue(client: Client) -> None:
    visit = make_visit(typed="sore throat")
    submit_visit(visit.pk, None)
    claim = steps.claim(visit.pk, StepName.LLM, 60)
    assert claim is not None
    Progress(claim)(0.42)
    client.force_login(make_user("nurse", Role.NURSE))
    page = client.get("/queue/").content.decode()
    assert f'<progress class="step-progress" id="progress-{visit.pk}" max="100" value="42"' in page
