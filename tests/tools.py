"""System tools the tests run (espeak-ng, ffmpeg, redis-server, Chromium) and the bundled
models: a missing one fails the test with the command that fixes it, never a silent skip.

`make test` and `.ci/run` install the tools first (scripts/system_packages.py). For a partial
local run without them, set INTAKE_ALLOW_MISSING_TOOLS=1: the tests that need them are then
skipped, and say so.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ALLOW_MISSING = "INTAKE_ALLOW_MISSING_TOOLS"
# The Debian package that provides each tool.
PACKAGES = {
    "espeak-ng": "espeak-ng",
    "ffmpeg": "ffmpeg",
    "redis-server": "redis-server",
    "chromium": "chromium",
}


def missing(what: str, fix: str) -> None:
    """Fail (or, when allowed, skip) a test that lacks `what`."""
    message = f"{what} is missing: {fix} (or set {ALLOW_MISSING}=1 to skip these tests)"
    if os.environ.get(ALLOW_MISSING) == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def need_tool(tool: str) -> str:
    """The path of a system tool the test runs."""
    path = shutil.which(tool)
    if path is None:
        package = PACKAGES.get(tool, tool)
        missing(tool, f"run `make system-packages` or `sudo apt-get install -y {package}`")
    return str(path)


def need_file(path: Path | str, what: str) -> Path:
    """A prepared model file."""
    found = Path(str(path))
    if not found.is_file():
        missing(f"{what} ({found})", "run `make models`")
    return found
