"""A fault-injection hook for the pipeline's crash tests, inert unless a test sets it.

With INTAKE_TEST_CRASH_MARKER set in a worker's environment, a step whose visit's typed
complaint contains the marker aborts the worker process (SIGABRT), the way a poison recording
crashes whisper.cpp or llama.cpp (GGML_ASSERT). Nothing in the deployment sets it.
"""

from __future__ import annotations

import os

MARKER_ENV = "INTAKE_TEST_CRASH_MARKER"


def crash_if_marked(text: str | None) -> None:
    marker = os.environ.get(MARKER_ENV)
    if marker and text and marker in text:
        os.abort()
