"""Two nurses in two browsers on the live queue (daphne + Channels + Redis): a visit becomes
ready, both queues show it without a reload, one nurse confirms the triage, the other's queue
follows; a second confirmation from a stale page is refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, Route, expect

from inference.triage.schema import record_template
from intake.events import bump_generation
from intake.lifecycle import transition
from intake.models import (
    AIDraft,
    NurseReview,
    Patient,
    ProcessingStep,
    SafetyFiring,
    StepName,
    Transcript,
    Visit,
)
from intake.models import TranscriptSegment as Segment
from intake.pipeline import steps
from intake.pipeline.progress import Progress
from intake.roles import Role
from intake.states import VisitStatus
from tests.conftest import make_user
from tests.e2e.conftest import Screens, fence
from tests.e2e.test_tablet import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]
S = VisitStatus
T = TypeVar("T")


@pytest.fixture
def nurses(browser: Browser, server: str) -> Iterator[tuple[Page, Page]]:
    off_loop(make_user, "nurse1", Role.NURSE)  # its access event, too, needs a thread
    off_loop(make_user, "nurse2", Role.NURSE)
    contexts = [
        browser.new_context(base_url=server, viewport={"width": 1400, "height": 900})
        for _ in range(2)
    ]
    offsite = [fence(ctx, server) for ctx in contexts]
    pages = []
    for ctx, name in zip(contexts, ("nurse1", "nurse2"), strict=True):
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        log_in(page, name)
        page.wait_for_url(re.compile(r"/queue/$"))
        expect(page.locator("#live")).to_have_text("live")
        pages.append(page)
    yield pages[0], pages[1]
    for ctx in contexts:
        ctx.close()
    assert offsite == [[], []], f"the pages asked for addresses other than the app's: {offsite}"


def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a state change in another thread: publishing its event uses async_to_sync, which
    cannot run in this thread while Playwright's event loop lives here."""
    with ThreadPoolExecutor(1) as pool:
        future: Future[T] = pool.submit(_closing, fn, *args, **kwargs)
        return future.result()


def _closing(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    finally:
        connection.close()  # this thread's own connection


def summarizing_visit() -> Visit:
    patient = Patient.objects.create(name="Grace Hopper", date_of_birth="1946-12-09", sex="female")
    visit = Visit.objects.create(patient=patient, status=S.SUMMARIZING.value, esi_rule_floor=2)
    transcript = Transcript.objects.create(
        visit=visit,
        text="I have chest pain and I am short of breath.",
        model_id="tiny.en",
        language="en",
        audio_seconds=4,
        wall_seconds=1,
    )
    Segment.objects.create(transcript=transcript, index=0, start_s=0, end_s=4, text=transcript.text)
    SafetyFiring.objects.create(
        visit=visit,
        transcript=transcript,
        source="transcript",
        rule_id="chest_pain_acs",
        esi_floor=2,
        evidence=[{"quote": "chest pain", "supported": True, "segment": 0, "t0": 0.5, "t1": 1.2}],
    )
    return visit


def become_ready(visit: Visit) -> None:
    data = record_template()
    data["chief_complaint"] = {"normalized": "chest pain", "quote": "chest pain"}
    data["esi"] = {"level": 3, "rationale": "stable"}
    AIDraft.objects.create(
        visit=visit,
        data=data,
        schema_version="1",
        model_id="gemma-test.gguf",
        prompt_version="t",
        transcript=Transcript.objects.get(visit=visit),
        evidence=[
            {
                "path": "chief_complaint",
                "quote": "chest pain",
                "supported": True,
                "segment": 0,
                "t0": 0.5,
                "t1": 1.2,
            }
        ],
    )
    Visit.objects.filter(pk=visit.pk).update(esi_suggested=2)
    transition(visit.pk, S.READY, stage="llm", progress=1.0)


def test_it_keeps_two_nurses_queues_live_through_a_review(
    nurses: tuple[Page, Page], screens: Screens
) -> None:
    first, second = nurses
    visit = summarizing_visit()
    off_loop(transition, visit.pk, S.SUBMITTED)  # any event: both queues re-fetch the rows
    row = f"#visit-{visit.pk}"
    for page in (first, second):
        expect(page.locator(row)).to_contain_text("Grace Hopper")
        expect(page.locator(f"#ack-{visit.pk}")).to_be_visible()  # red-flag alert
    Visit.objects.filter(pk=visit.pk).update(status=S.SUMMARIZING.value)
    off_loop(become_ready, visit)
    for page in (first, second):
        expect(page.locator(row)).to_contain_text("Ready")
    screens(first, "queue-ready")

    # Nurse 2 opens the visit too, then nurse 1 acknowledges, reviews and confirms.
    second.click(f"{row} a")
    expect(second.locator("#confirm")).to_be_visible()
    first.click(f"#ack-{visit.pk}")
    expect(first.locator(f"#ack-{visit.pk}")).to_have_count(0)
    first.click(f"{row} a")
    expect(first.locator(".quote").first).to_contain_text("chest pain")
    screens(first, "review")
    first.click("#confirm")  # without a final ESI: refused
    expect(first.locator("#final-esi-error")).to_be_visible()
    first.check("input[name=final_esi][value='2']")
    first.click("#confirm")
    expect(first.locator(".review-done")).to_contain_text("ESI 2")
    screens(first, "confirmed")

    # Nurse 2's page learned of the change; their stale confirmation is refused.
    expect(second.locator("#changed-note")).to_be_visible()
    second.check("input[name=final_esi][value='4']")
    second.click("#confirm")
    expect(second.locator(".msg-error")).to_contain_text("Another nurse changed this visit")
    screens(second, "stale-refused")
    assert NurseReview.objects.get(visit=visit).final_esi == 2

    second.goto("/queue/")
    expect(second.locator(row)).to_contain_text("ESI 2")
    expect(second.locator(row)).to_contain_text("Reviewed")
    first.goto("/queue/")
    first.goto(f"/visits/{visit.pk}/")
    first.click("#move-roomed")
    expect(second.locator(row)).to_contain_text("Roomed")
    screens(second, "queue-after")


def test_it_shows_a_visit_whose_event_arrives_while_the_queue_is_being_fetched(
    nurses: tuple[Page, Page],
) -> None:
    # The race behind an intermittent CI failure: the socket's first refresh was in flight when
    # an event came; htmx queued the second refresh on the rows element, the first response
    # swapped that element out, and the queued refresh was dropped with it.
    page, _ = nurses
    held: list[Route] = []

    def hold_first_refresh(route: Route) -> None:
        if route.request.headers.get("x-intake-background") and not held:
            held.append(route)
            return
        route.continue_()

    page.route(re.compile(r"/queue/"), hold_first_refresh)
    page.evaluate(
        "window.refreshes = 0;"
        "document.body.addEventListener('queue-changed', () => window.refreshes++);"
        "document.body.dispatchEvent(new Event('queue-changed'))"
    )
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "the queue never asked for its rows"
    before = held[0].fetch()  # the rows as they were before the visit existed
    visit = summarizing_visit()
    off_loop(transition, visit.pk, S.SUBMITTED)
    page.wait_for_function("window.refreshes === 2")  # its event came while the fetch was open
    assert "Grace Hopper" not in before.text()
    held[0].fulfill(response=before)
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("Grace Hopper")


def test_it_moves_progress_bars_and_marks_waits_over_target_without_a_reload(
    nurses: tuple[Page, Page], screens: Screens
) -> None:
    page, _ = nurses
    # ESI 2 by the rules (target 10 min), waiting 10 min 40 s: not over target yet ("10 min").
    patient = Patient.objects.create(name="Ada Lovelace", date_of_birth="1952-12-10", sex="female")
    waiting = Visit.objects.create(
        patient=patient,
        status=S.READY.value,
        esi_rule_floor=2,
        arrived_at=timezone.now() - timedelta(minutes=10, seconds=40),
    )
    running = Visit.objects.create(
        patient=Patient.objects.create(name="Alan Turing", date_of_birth="1950-06-23"),
        status=S.TRANSCRIBING.value,
    )
    claim = steps.claim(running.pk, StepName.ASR, 600)
    assert claim is not None
    bump_generation()  # made without an event: the queue's cached table must not be reused
    page.clock.install()
    page.reload()
    wait = page.locator(f"#visit-{waiting.pk} .wait")
    expect(wait).to_have_text("10 min")
    expect(page.locator(f"#visit-{waiting.pk}")).not_to_have_class(re.compile("over-target"))
    bar = page.locator(f"#progress-{running.pk}")
    expect(bar).to_have_attribute("value", "0")

    off_loop(Progress(claim), 0.6)
    expect(bar).to_have_attribute("value", "60")
    assert ProcessingStep.objects.get(pk=claim.step_id).progress == 0.6

    page.clock.fast_forward("00:45")  # the page's own clock (3 ticks): no request, no event
    expect(wait).to_have_text("11 min")
    expect(page.locator(f"#visit-{waiting.pk}")).to_have_class(re.compile("over-target"))
    expect(page.locator(f"#visit-{waiting.pk} .badge.over")).to_have_text("over target")
    screens(page, "progress-and-over-target")


def test_it_warns_before_idle_logoff_and_a_tap_keeps_the_session(
    nurses: tuple[Page, Page], screens: Screens
) -> None:
    page, _ = nurses
    page.clock.install()
    page.reload()
    warning = page.locator("#idle-warning")
    page.clock.fast_forward("13:30")  # 15 min idle limit: no warning yet
    expect(warning).to_have_count(0)
    page.clock.fast_forward("00:40")
    expect(warning).to_contain_text("you will be logged out in")
    expect(warning).to_contain_text("stay on this device")
    screens(page, "idle-warning")
    with page.expect_request("**/session/ping/") as ping:
        warning.get_by_role("button", name="Stay logged in").click()
    assert ping.value.method == "POST"
    expect(warning).to_have_count(0)
    # A recording in progress is use: no warning, however long it runs.
    page.evaluate("document.body.classList.add('is-recording')")
    page.clock.fast_forward("16:00")
    expect(warning).to_have_count(0)
