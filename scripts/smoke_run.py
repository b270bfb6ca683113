#!/usr/bin/env python3
"""Smoke test of `make run` (CI): start it, wait for /healthz 200 over HTTPS (verifying the
certificate against the local CA), check the HTTP->HTTPS redirect, log in as the demo nurse,
open the queue, press Ctrl-C, and check that no process is left behind.

Standard library only. Exit code 0 on success.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTP_PORT = int(os.environ.get("SMOKE_HTTP_PORT", "18000"))
HTTPS_PORT = int(os.environ.get("SMOKE_HTTPS_PORT", "18443"))
PASSWORD = "smoke-test-password-1"
START_TIMEOUT = float(os.environ.get("SMOKE_START_TIMEOUT", "600"))
BASE = f"https://localhost:{HTTPS_PORT}"
# What `make run` starts from this checkout (its virtualenv's daphne and celery, and the
# supervisor); none of these may survive Ctrl-C. Other checkouts' processes are not ours.
OUR_PROCESSES = re.compile(re.escape(str(ROOT)) + r"/(\.venv/bin/(daphne|celery)|scripts/run\.py)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def log(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def our_processes() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if OUR_PROCESSES.search(cmdline):
            found.append(f"{entry.name}: {cmdline.strip()}")
    return found


def tls_context() -> ssl.SSLContext:
    # Trust only the clinic's local CA: proves the certificate chain make run serves.
    return ssl.create_default_context(cafile=str(ROOT / "var" / "tls" / "ca.crt"))


def wait_healthy(make: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if make.poll() is not None:
            raise SystemExit(f"make run exited early with {make.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", context=tls_context(), timeout=5) as r:
                return dict(json.load(r))
        except urllib.error.HTTPError as e:
            last = f"{e.code}: {e.read().decode()[:500]}"
        except (OSError, ssl.SSLError) as e:
            last = repr(e)
        time.sleep(2)
    raise SystemExit(f"/healthz not 200 within {START_TIMEOUT:.0f} s; last: {last}")


def check_redirect() -> None:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"http://127.0.0.1:{HTTP_PORT}/queue/", timeout=5)
    except urllib.error.HTTPError as e:
        location = e.headers.get("Location", "")
        assert e.code == 301, e.code
        assert location == f"https://127.0.0.1:{HTTPS_PORT}/queue/", location
        return
    raise AssertionError("plain HTTP was served instead of redirected")


def check_login() -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=tls_context())
    )
    with opener.open(f"{BASE}/login/", timeout=10) as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {
            "username": "nurse",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
            "next": "/queue/",
        }
    ).encode()
    request = urllib.request.Request(f"{BASE}/login/", data=form, headers={"Referer": BASE + "/"})
    with opener.open(request, timeout=10) as r:
        body = r.read().decode()
        assert r.url.endswith("/queue/"), f"login landed on {r.url}"
        assert 'data-ws-path="/ws/queue/"' in body, "queue page not shown after login"


def main() -> int:
    leftovers = our_processes()
    if leftovers:
        raise SystemExit("processes from an earlier run are still alive:\n" + "\n".join(leftovers))
    env = dict(
        os.environ,
        HTTP_PORT=str(HTTP_PORT),
        HTTPS_PORT=str(HTTPS_PORT),
        RUN_BIND="127.0.0.1",
        DEMO_PASSWORD=PASSWORD,
    )
    log("starting make run")
    # Its own process group, like a terminal's foreground job: Ctrl-C goes to all of it.
    make = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, start_new_session=True)
    ok = False
    try:
        health = wait_healthy(make)
        log(f"healthz 200: {json.dumps(health['checks'])[:400]}")
        check_redirect()
        log("http redirects to https")
        check_login()
        log("logged in as nurse and saw the queue")
        ok = True
    finally:
        log("pressing Ctrl-C")
        os.killpg(make.pid, signal.SIGINT)
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise SystemExit("make run did not stop within 60 s of Ctrl-C") from None
    time.sleep(1)
    leftovers = our_processes()
    if leftovers:
        for line in leftovers:
            pid = int(line.split(":")[0])
            os.kill(pid, signal.SIGKILL)
        raise SystemExit("left running after Ctrl-C:\n" + "\n".join(leftovers))
    log("nothing left running")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
