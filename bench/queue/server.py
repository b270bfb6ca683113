"""The one daphne process under test, and logging in to it through the login form."""

from __future__ import annotations

import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import Process, spawn
from bench.queue.base import DAPHNE, HOST, NURSE, free_port


@dataclass
class Server(Process):
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """daphne's user + system CPU time so far, all its threads (/proc/PID/stat)."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_daphne(env: dict[str, str], log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / "daphne.log"
    popen = spawn([DAPHNE, "-b", HOST, "-p", str(port), "intake.asgi:application"], env, log)
    server = Server(popen, log, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(server.url + "/healthz", timeout=2)  # noqa: S310
            return server
        except urllib.error.HTTPError:
            return server  # answered (503: no workers here, which is fine)
        except OSError:
            if popen.poll() is not None or time.monotonic() > deadline:
                server.stop()
                sys.exit(f"daphne did not start:\n{server.tail()}")
            time.sleep(0.2)


def login(base: str, password: str) -> str:
    """Logs in through the form (CSRF cookie + token), returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        sys.exit("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {"username": NURSE, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310  (our own http://127.0.0.1 URL)
        base + "/login/", data=form, headers={"Referer": base + "/login/"}
    )
    opener.open(request, timeout=10).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("login failed: no session cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())
