#!/usr/bin/env python3
"""Make sure the system tools the tests use are installed, the way scripts/services.py makes
sure of PostgreSQL and Redis: installed with apt when running as root on a Debian-like
system, else the one command to run is printed and the exit status is 1.

    python3 scripts/system_packages.py ensure          # make test, make e2e, .ci/run

Standard library only: it runs before the virtualenv exists. The app itself needs none of
these (PyAV ships its own decoders): espeak-ng speaks the test recordings, ffmpeg makes the
iPad-style m4a and webm fixtures, Chromium runs the browser tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

# (command to find, Debian package)
TOOLS = (
    ("espeak-ng", "espeak-ng"),
    ("ffmpeg", "ffmpeg"),
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
)


def say(message: str) -> None:
    print(f"[system-packages] {message}", flush=True)


def missing_packages() -> list[str]:
    return [package for tool, package in TOOLS if shutil.which(tool) is None]


def can_install() -> bool:
    debian = Path("/etc/debian_version").exists() and shutil.which("apt-get") is not None
    return debian and os.geteuid() == 0


def install(packages: list[str]) -> None:
    say(f"installing {' '.join(packages)} with apt-get (about a minute)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure(*, may_install: bool = True) -> int:
    packages = missing_packages()
    if not packages:
        say("espeak-ng, ffmpeg and Chromium are installed")
        return 0
    if may_install and can_install():
        install(packages)
        still = missing_packages()
        if not still:
            return 0
        packages = still
    say(
        "missing: " + " ".join(packages) + ". Install them with:\n"
        f"    sudo apt-get install -y --no-install-recommends {' '.join(packages)}\n"
        "or run a partial test suite without them: INTAKE_ALLOW_MISSING_TOOLS=1 make test"
    )
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ensure"])
    parser.add_argument("--no-install", action="store_true", help="only check and advise")
    args = parser.parse_args()
    if os.environ.get("INTAKE_ALLOW_MISSING_TOOLS") == "1":
        say("INTAKE_ALLOW_MISSING_TOOLS=1: not checking (tests that need a tool are skipped)")
        return 0
    return ensure(may_install=not args.no_install)


if __name__ == "__main__":
    sys.exit(main())
