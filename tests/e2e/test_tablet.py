"""The front desk on a tablet, in headless Chromium against the real app (daphne subprocess),
real Postgres/Redis and - for the spoken visit - real asr/llm workers with the bundled models."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from inference.audio.decode import decode_recording
from intake.mediastore.django import get_store
from intake.models import Photo, Recording, Visit
from intake.models import Transcript as TranscriptRow
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import CHUNK_SECONDS, Screens
from tests.harness import start_worker, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]
S = VisitStatus


def jpeg(path: Path, colour: tuple[int, int, int]) -> Path:
    from PIL import Image

    Image.new("RGB", (640, 480), colour).save(path, "JPEG")
    return path


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def start_intake(page: Page, name: str, *, consent: bool = True) -> int:
    page.click("#new-intake")
    page.fill("#id_name", name)
    page.fill("#id_date_of_birth", "1961-03-14")
    page.check("input[name=sex][value=male]")
    page.select_option("#id_preferred_language", "en")
    if consent:
        page.check("#id_consent_to_record")
    page.click("#start-intake")
    page.wait_for_url(re.compile(r"/front-desk/visit/\d+/$"))
    return int(page.get_attribute("#intake", "data-visit") or 0)


def outbox_size(page: Page) -> int:
    """Items plus remembered state in the tablet's IndexedDB."""
    return int(
        page.evaluate(
            """() => new Promise((resolve, reject) => {
                const req = indexedDB.open("clinic-intake-outbox");
                req.onsuccess = () => {
                  const db = req.result;
                  const t = db.transaction(["items", "state"]);
                  const a = t.objectStore("items").count();
                  const b = t.objectStore("state").count();
                  t.oncomplete = () => resolve(a.result + b.result);
                  t.onerror = () => reject(t.error);
                };
                req.onerror = () => reject(req.error);
            })"""
        )
    )


def recorded_seconds(page: Page) -> float:
    minutes, seconds = (page.text_content("#rec-time") or "0:00").split(":")
    return int(minutes) * 60 + int(seconds)


def test_it_takes_a_spoken_intake_with_photos_through_the_pipeline(
    context: BrowserContext,
    screens: Screens,
    server_env: dict[str, str],
    tmp_path: Path,
) -> None:
    make_user("desk1", Role.FRONT_DESK)
    # The workers load their models while the browser works.
    workers = [start_worker(q, tmp_path, env=server_env) for q in ("asr", "llm")]
    try:
        page = context.new_page()
        log_in(page, "desk1")
        page.wait_for_url(re.compile(r"/front-desk/$"))
        screens(page, "start")
        visit_id = start_intake(page, "Alan Turing")
        screens(page, "intake")

        page.click("#rec-start")
        expect(page.locator("#rec-stop")).to_be_visible()
        page.wait_for_timeout(4_000)
        # The Wi-Fi drops mid-recording: chunks wait in IndexedDB, recording goes on.
        context.set_offline(True)
        page.wait_for_timeout(6_000)
        expect(page.locator("[data-outbox-status]")).to_contain_text("No network")
        screens(page, "offline")
        context.set_offline(False)
        page.wait_for_timeout(4_000)
        page.click("#rec-stop")
        expect(page.locator("#rec-again")).to_be_visible()
        seconds = recorded_seconds(page)

        page.check("input[name=photo-kind][value=wound]")
        page.set_input_files("#photo-input", str(jpeg(tmp_path / "a.jpg", (180, 40, 40))))
        page.check("input[name=photo-kind][value=medication]")
        page.set_input_files("#photo-input", str(jpeg(tmp_path / "b.jpg", (40, 40, 180))))
        expect(page.locator("#photo-list figure")).to_have_count(2)
        screens(page, "photos")

        page.click("#to-review")
        expect(page.locator("#summary-photos")).to_have_text("2")
        screens(page, "review")
        page.click("#submit-intake")
        page.wait_for_url(re.compile(r"/front-desk/\?sent=1$"))
        expect(page.locator("#new-intake")).to_be_visible()
        screens(page, "next-patient")
        assert "Turing" not in page.content()
        page.wait_for_timeout(500)
        assert outbox_size(page) == 0, "patient data left in the tablet's browser storage"

        # The recording arrived whole although the network was gone for 6 s of it.
        rec = Recording.objects.get(visit_id=visit_id, discarded=False)
        assert rec.completed_at is not None
        names = [c.media_name for c in rec.chunks.order_by("seq")]
        with get_store().open_concat(names) as joined:
            audio = decode_recording(io.BytesIO(joined.read()), max_seconds=None)
        assert abs(audio.duration_s - seconds) <= CHUNK_SECONDS + 1.0, (audio.duration_s, seconds)
        assert sorted(Photo.objects.filter(visit_id=visit_id).values_list("kind", flat=True)) == [
            "medication",
            "wound",
        ]

        wait_until(
            lambda: Visit.objects.get(pk=visit_id).status in (S.READY, S.FAILED),
            240,
            "the pipeline to finish the visit",
            workers,
        )
    finally:
        for worker in workers:
            worker.stop()
    visit = Visit.objects.get(pk=visit_id)
    assert visit.status == S.READY, visit.status_reason
    text = TranscriptRow.objects.get(visit_id=visit_id, is_current=True).text.lower()
    assert "chest pain" in text and "breath" in text, text


def test_it_keeps_chunks_through_a_logoff_and_sends_them_after_login(
    context: BrowserContext, screens: Screens
) -> None:
    make_user("desk1", Role.FRONT_DESK)
    page = context.new_page()
    log_in(page, "desk1")
    visit_id = start_intake(page, "Edsger Dijkstra")
    page.click("#rec-start")
    page.wait_for_timeout(3_000)
    # The idle logoff ends the session while the patient is still talking.
    context.clear_cookies()
    page.wait_for_timeout(4_000)
    page.click("#rec-stop")
    expect(page.locator("[data-outbox-status]")).to_contain_text("after the next login")
    screens(page, "logged-out")
    kept = outbox_size(page)
    assert kept > 0
    assert not Recording.objects.filter(visit_id=visit_id, completed_at__isnull=False).exists()

    log_in(page, "desk1")
    wait_until(
        lambda: Recording.objects.filter(visit_id=visit_id, completed_at__isnull=False).exists(),
        30,
        "the kept chunks to be sent after login",
    )
    rec = Recording.objects.get(visit_id=visit_id)
    assert rec.chunks.count() >= 3
    page.wait_for_timeout(1_000)
    # Sent, so wiped: only the intake's number is remembered until it is submitted.
    page.goto("/front-desk/")
    items = page.evaluate(
        """() => new Promise(r => { const q = indexedDB.open("clinic-intake-outbox");
            q.onsuccess = () => { const c = q.result.transaction("items").objectStore("items")
            .count(); c.onsuccess = () => r(c.result); }; })"""
    )
    assert items == 0
    expect(page.locator("#resume-box")).to_be_visible()
    screens(page, "resume-offered")


def test_it_sends_urgent_and_typed_intakes_to_the_nurses(
    context: BrowserContext, browser_nurse: Page, screens: Screens
) -> None:
    page = context.new_page()
    log_in(page, "desk1")
    typed_id = start_intake(page, "Barbara Liskov", consent=False)
    expect(page.locator("#no-consent")).to_be_visible()
    page.fill("#id_complaint", "Sore throat and fever for three days")
    page.click("#complaint-save")
    expect(page.locator("#complaint-saved")).to_be_visible()
    page.click("#to-review")
    page.click("#submit-intake")
    page.wait_for_url(re.compile(r"/front-desk/\?sent=1$"))

    urgent_id = start_intake(page, "Donald Knuth")
    page.set_viewport_size({"width": 1280, "height": 800})  # the tablet turned to landscape
    page.click("#urgent-button")
    expect(page.locator("#urgent-done")).to_be_visible()
    screens(page, "urgent-landscape")

    rows = browser_nurse.locator("#queue-rows tbody tr")
    expect(rows.first).to_have_attribute("id", f"visit-{urgent_id}")
    expect(browser_nurse.locator(f"#visit-{typed_id}")).to_contain_text("triage by hand")
    screens(browser_nurse, "nurse-queue")
    assert Visit.objects.get(pk=typed_id).status in (S.SUMMARIZING, S.SUBMITTED)


@pytest.fixture
def browser_nurse(browser: Browser, server: str) -> Iterator[Page]:
    """A nurse's queue page in its own browser context, live over the WebSocket."""
    make_user("desk1", Role.FRONT_DESK)
    make_user("nurse1", Role.NURSE)
    other = browser.new_context(base_url=server)
    page = other.new_page()
    log_in(page, "nurse1")
    page.wait_for_url(re.compile(r"/queue/$"))
    expect(page.locator("#live")).to_have_text("live")
    yield page
    other.close()
