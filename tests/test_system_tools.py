"""A missing system tool fails the tests with the command that fixes it, never a silent
skip; scripts/system_packages.py says what to install. Opting out is explicit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NEEDS_ESPEAK = """
from tests.tools import need_tool

def test_needs_espeak():
    need_tool("espeak-ng")
"""


def run_pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    test = tmp_path / "test_needs.py"
    test.write_text(NEEDS_ESPEAK)
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": str(empty), "PYTHONPATH": str(ROOT), **env},
    )  # fmt: skip


def test_it_fails_a_test_whose_tool_is_missing(tmp_path):
    proc = run_pytest(tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed" in proc.stdout
    assert "espeak-ng is missing: run `make system-packages`" in proc.stdout


def test_it_skips_only_when_asked(tmp_path):
    proc = run_pytest(tmp_path, INTAKE_ALLOW_MISSING_TOOLS="1")
    assert proc.returncode == 0, proc.stdout
    assert "1 skipped" in proc.stdout


def test_it_names_the_packages_to_install(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = subprocess.run(
        [sys.executable, "scripts/system_packages.py", "ensure", "--no-install"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PATH": str(empty)},
    )  # fmt: skip
    assert proc.returncode == 1
    assert (
        "sudo apt-get install -y --no-install-recommends espeak-ng ffmpeg chromium "
        "chromium-driver" in proc.stdout
    )
    assert "INTAKE_ALLOW_MISSING_TOOLS=1 make test" in proc.stdout


def test_it_is_satisfied_when_everything_is_there():
    proc = subprocess.run(
        [sys.executable, "scripts/system_packages.py", "ensure", "--no-install"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
