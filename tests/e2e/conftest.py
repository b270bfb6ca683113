"""Browser end-to-end fixtures: the real ASGI app in a daphne subprocess on 127.0.0.1 (a
secure context, so the microphone and WebCrypto work without TLS), real workers when a test
needs them, and the system Chromium with a fake microphone that plays espeak-ng speech.

Run in their own pytest process (`make e2e`, and the second half of `make test`): Playwright's
sync API runs an event loop in this thread, which the async tests must not share.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    sync_playwright,
)

from intake.mediastore.crypto import generate_key_file
from intake.mediastore.django import reset_store
from tests.conftest import subprocess_env
from tests.fixtures_models import CLIP_TEXT

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "artifacts" / "screens"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHUNK_SECONDS = 2
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop in this thread; Django's ORM would refuse to
    # run "in an async context". The tests here never run ORM calls concurrently with it.
    # Session-scoped in this folder only: the async tests' process never sets it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def media_env(e2e_dir: Path) -> Iterator[dict[str, str]]:
    """One encrypted media store shared by this process, the server and the workers."""
    root, key = e2e_dir / "media", e2e_dir / "media.key"
    generate_key_file(key)
    saved = settings.MEDIA_ROOT, settings.MEDIA_ENCRYPTION_KEY_FILE
    settings.MEDIA_ROOT, settings.MEDIA_ENCRYPTION_KEY_FILE = root, key
    reset_store()
    yield {"MEDIA_ROOT": str(root), "MEDIA_ENCRYPTION_KEY_FILE": str(key)}
    settings.MEDIA_ROOT, settings.MEDIA_ENCRYPTION_KEY_FILE = saved
    reset_store()


@pytest.fixture(scope="session")
def server_env(media_env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        **subprocess_env(),
        **media_env,
        "HTTPS_PORT": "0",  # plain http on 127.0.0.1: no redirect to TLS
        "RECORDING_CHUNK_SECONDS": str(CHUNK_SECONDS),
        "LLM_MAX_TOKENS": "320",
        "OMP_WAIT_POLICY": "PASSIVE",
    }


@pytest.fixture(scope="session")
def server(
    django_db_setup: Any, django_db_blocker: Any, server_env: dict[str, str], e2e_dir: Path
) -> Iterator[str]:
    port = free_port()
    log = (e2e_dir / "daphne.log").open("wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "intake.asgi:application",
        ],
        cwd=ROOT,
        # The web process's connection pool, as `make run` runs it (never the workers').
        env={**server_env, "DATABASE_POOL_SIZE": "4"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # answered (503 while workers are down is fine here)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((e2e_dir / "daphne.log").read_text()[-3000:]) from None
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def speech_wav(e2e_dir: Path) -> Path:
    """What the fake microphone plays (looped): the clinical sentence, then a pause."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing (apt-get install espeak-ng)")
    wav = e2e_dir / "mic.wav"
    subprocess.run(
        ["espeak-ng", "-s", "150", "-w", str(wav), CLIP_TEXT + " " + CLIP_TEXT],
        check=True,
        capture_output=True,
    )
    return wav


@pytest.fixture(scope="session")
def browser(speech_wav: Path) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-audio-capture={speech_wav}"],
        )
        yield b
        b.close()


def fence(ctx: BrowserContext, server: str) -> list[str]:
    """List every request and WebSocket of `ctx` that is not for the app's own address (the
    caller asserts the list stays empty: no CDN, no font or script from the internet, nothing
    phoning home). Requests elsewhere are also aborted. The request pattern is a regular
    expression the browser side evaluates, so the app's own requests never wait for this
    Python process; WebSockets are only watched (intercepting them delays the app's own live
    updates) - the CSP's connect-src 'self' refuses the others anyway."""
    offsite: list[str] = []
    own = re.escape(server.removeprefix("http://"))
    elsewhere = re.compile(rf"^(?!https?://{own}/)")
    own_socket = re.compile(rf"^wss?://{own}/")

    def http(route: Route) -> None:
        offsite.append(route.request.url)
        route.abort()

    def watch(page: Page) -> None:
        page.on(
            "websocket",
            lambda ws: None if own_socket.match(ws.url) else offsite.append(ws.url),
        )

    ctx.route(elsewhere, http)
    ctx.on("page", watch)
    return offsite


@pytest.fixture
def context(browser: Browser, server: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=server,
        viewport={"width": 800, "height": 1280},  # a 10" tablet in portrait
        permissions=["microphone", "camera"],
    )
    ctx.set_default_timeout(20_000)
    offsite = fence(ctx, server)
    yield ctx
    ctx.close()
    assert offsite == [], f"the pages asked for addresses other than the app's: {offsite}"


class Screens:
    """Saves a numbered screenshot per step under artifacts/screens/ (ignored by git)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.n = 0
        SCREENS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, step: str) -> None:
        self.n += 1
        page.screenshot(path=str(SCREENS / f"{self.name}-{self.n:02d}-{step}.png"), full_page=True)


@pytest.fixture
def screens(request: pytest.FixtureRequest) -> Screens:
    return Screens(request.node.name.removeprefix("test_it_"))
