"""The Celery app. Queues: `asr` (whisper.cpp), `llm` (Gemma), `default` (everything light).

Each worker is started for one queue group (`celery -A intake worker -Q asr -c 1`), so a process
loads at most one model, once (see intake.pipeline.worker).
"""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intake.settings")

app = Celery("intake")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("asr"), Queue("llm"))
app.autodiscover_tasks(["intake.pipeline"])

# Worker signal handlers (model loading, heartbeats) live in intake.pipeline.worker; importing
# it here connects them in every worker process without touching the web process.
import intake.pipeline.worker  # noqa: E402, F401
