"""Sending the pipeline's tasks: by name (so the request side never imports the worker side),
after commit, with time limits scaled to the visit's audio.

Each send is recorded on the step (`steps.mark_enqueued`) so the sweeper does not send the same
step again while its message is still waiting in the queue.
"""

from __future__ import annotations

from django.conf import settings

from intake.celery import app
from intake.models import StepName
from intake.pipeline import steps
from intake.pipeline.media import audio_seconds

TRANSCRIBE = "intake.tasks.transcribe_visit"
EXTRACT = "intake.tasks.extract_visit"
PLAYBACK_COPY = "intake.tasks.make_playback_copy"


def time_limits(queue: str, seconds_of_audio: float) -> tuple[int, int]:
    """(soft, hard) Celery time limits for one task: a floor for loading and the LLM, plus a
    multiple of the audio length (whisper on a loaded CPU runs slower than real time). The soft
    limit leaves the task up to 30 s to fail the visit cleanly before the hard kill, but never
    more than a quarter of the budget: a short limit must not leave the work almost no time."""
    base = settings.PROCESSING_BASE_SECONDS
    per_audio = settings.PROCESSING_SECONDS_PER_AUDIO_SECOND if queue == "asr" else 0.0
    hard = int(min(settings.CELERY_TASK_HARD_TIME_LIMIT, base + per_audio * seconds_of_audio))
    return hard - min(30, hard // 4), hard


def enqueue_transcription(visit_id: int) -> None:
    soft, hard = time_limits("asr", audio_seconds(visit_id))
    app.send_task(TRANSCRIBE, (visit_id,), soft_time_limit=soft, time_limit=hard)
    steps.mark_enqueued(visit_id, StepName.ASR)


def enqueue_extraction(visit_id: int) -> None:
    soft, hard = time_limits("llm", 0.0)
    app.send_task(EXTRACT, (visit_id,), soft_time_limit=soft, time_limit=hard)
    steps.mark_enqueued(visit_id, StepName.LLM)


def enqueue_playback_copy(recording_id: int) -> None:
    app.send_task(PLAYBACK_COPY, (recording_id,))
