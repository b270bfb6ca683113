"""Nurse pages against the real database: queue order and filters, alerts, review rules
(final ESI required, optimistic locking, diff), manual triage, lifecycle moves, print, audio."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inference.triage.schema import record_template
from intake.models import AIDraft, AuditEvent, NurseReview, Patient, SafetyFiring, Visit
from intake.roles import Role
from intake.states import VisitStatus
from intake.worklist import queue_visits, rows
from tests.conftest import PASSWORD, logged_in, make_user
from tests.factories import add_recording, silent_wav

pytestmark = pytest.mark.django_db(transaction=True)
S = VisitStatus


def visit(
    name: str,
    status: S,
    *,
    minutes_ago: int = 10,
    urgent: bool = False,
    floor: int | None = None,
    ai: int | None = None,
    final: int | None = None,
) -> Visit:
    patient = Patient.objects.create(name=name, date_of_birth="1980-05-05", sex="female")
    return Visit.objects.create(
        patient=patient,
        status=status.value,
        arrived_at=timezone.now() - timedelta(minutes=minutes_ago),
        urgent=urgent,
        esi_rule_floor=floor,
        esi_suggested=ai,
        esi_final=final,
    )


def ready_visit(name: str = "Rita Ready", ai_esi: int = 3) -> tuple[Visit, AIDraft]:
    v = visit(name, S.READY, ai=ai_esi)
    data = record_template()
    data["esi"]["level"] = ai_esi
    draft = AIDraft.objects.create(
        visit=v,
        data=data,
        schema_version="1",
        model_id="gemma-test.gguf",
        prompt_version="t",
        evidence=[
            {
                "path": "chief_complaint",
                "quote": data["chief_complaint"]["quote"],
                "supported": True,
                "segment": 0,
                "t0": 1.0,
                "t1": 2.0,
            },
        ],
    )
    return v, draft


def form_data(v: Visit, draft: AIDraft | None, **changes: Any) -> dict[str, Any]:
    from intake.review_form import initial_from

    data = {k: v2 for k, v2 in initial_from(draft.data if draft else {}).items()}
    data.update({"version": v.version, **changes})
    return {k: ("" if val is None else val) for k, val in data.items()}


# --- queue ----------------------------------------------------------------------------------------


def test_it_orders_the_queue_urgent_first_then_most_urgent_esi_then_arrival() -> None:
    late_ai_2 = visit("ai two", S.READY, minutes_ago=5, ai=2)
    early_unknown = visit("processing no esi", S.TRANSCRIBING, minutes_ago=50)
    floor_1 = visit("floor one", S.SUMMARIZING, minutes_ago=1, floor=1)
    nurse_4_floor_2 = visit("nurse four floor two", S.REVIEWED, minutes_ago=40, floor=2, final=4)
    ai_5 = visit("ai five", S.READY, minutes_ago=60, ai=5)
    urgent_draft = visit("urgent at desk", S.DRAFT, minutes_ago=0, urgent=True)
    quiet_draft = visit("draft", S.DRAFT, minutes_ago=70)
    done = visit("gone", S.DISCHARGED, minutes_ago=90, final=1)
    order = [v.pk for v in queue_visits()]
    assert order == [
        urgent_draft.pk,
        floor_1.pk,
        nurse_4_floor_2.pk,  # the floor keeps it up although the nurse said 4
        late_ai_2.pk,
        early_unknown.pk,  # nothing known yet: sorts as ESI 3
        ai_5.pk,
    ]
    assert quiet_draft.pk not in order and done.pk not in order


def test_it_filters_the_queue_by_status(nurse: User) -> None:
    ready = visit("Ready One", S.READY, ai=3)
    failed = visit("Failed One", S.FAILED)
    client = logged_in(nurse)
    body = client.get(reverse("queue") + "?status=failed").content.decode()
    assert f'id="visit-{failed.pk}"' in body and f'id="visit-{ready.pk}"' not in body
    body = client.get(reverse("queue") + "?status=nonsense").content.decode()
    assert f'id="visit-{failed.pk}"' in body and f'id="visit-{ready.pk}"' in body


def test_it_marks_visits_over_their_wait_target() -> None:
    slow = visit("Slow", S.READY, minutes_ago=45, ai=3)  # target 30 min
    fine = visit("Fine", S.READY, minutes_ago=45, ai=4)  # target 60 min
    by_id = {r.visit.pk: r for r in rows(list(queue_visits()))}
    assert by_id[slow.pk].over_target and by_id[slow.pk].target_minutes == 30
    assert not by_id[fine.pk].over_target


def test_it_alerts_on_red_flags_until_a_nurse_acknowledges(nurse: User) -> None:
    flagged = visit("Flag", S.SUMMARIZING, floor=2)
    SafetyFiring.objects.create(
        visit=flagged, source="transcript", rule_id="chest_pain_acs", esi_floor=2
    )
    plain = visit("Plain", S.READY, ai=4)
    client = logged_in(nurse)
    body = client.get(reverse("queue")).content.decode()
    assert f'id="ack-{flagged.pk}"' in body and f'id="ack-{plain.pk}"' not in body
    # The rule's title, never its bare id; "?" only when nothing but weaker evidence fired.
    assert "Possible heart attack" in body and "chest_pain_acs" not in body
    client.post(reverse("visit_ack", args=[flagged.pk]))
    flagged.refresh_from_db()
    assert flagged.alert_ack_by == nurse and flagged.alert_ack_at is not None
    assert f'id="ack-{flagged.pk}"' not in client.get(reverse("queue")).content.decode()
    assert AuditEvent.objects.filter(action="visit.alert_ack", visit_id=flagged.pk).exists()


def test_it_never_redirects_an_acknowledgement_off_the_site(nurse: User) -> None:
    flagged = visit("Flag", S.READY, floor=2)
    client = logged_in(nurse)
    url = reverse("visit_ack", args=[flagged.pk])
    for outside in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(url, {"next": outside})
        assert response.status_code == 302 and response["Location"] == reverse("queue")
    inside = reverse("visit", args=[flagged.pk])
    assert client.post(url, {"next": inside})["Location"] == inside


def test_it_keeps_front_desk_out_of_nurse_pages(front_desk: User) -> None:
    v, _ = ready_visit()
    client = logged_in(front_desk)
    for url in (
        reverse("queue"),
        reverse("visit", args=[v.pk]),
        reverse("visit_print", args=[v.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("visit_confirm", args=[v.pk])).status_code == 403


# --- review ---------------------------------------------------------------------------------------


def test_it_shows_the_draft_with_its_quotes_and_model(nurse: User) -> None:
    v, draft = ready_visit()
    body = logged_in(nurse).get(reverse("visit", args=[v.pk])).content.decode()
    assert "gemma-test.gguf" in body
    assert f"“{draft.data['chief_complaint']['quote']}”" in body
    assert 'data-segment="0"' in body
    # The final ESI has no preselected value: the nurse must choose.
    assert (
        'name="final_esi"' in body
        and "checked" not in body.split('id="final-esi"')[1].split("</fieldset>")[0]
    )


def test_it_requires_the_final_esi(nurse: User) -> None:
    v, draft = ready_visit()
    response = logged_in(nurse).post(reverse("visit_confirm", args=[v.pk]), form_data(v, draft))
    assert response.status_code == 200
    assert "Choose the final ESI" in response.content.decode()
    v.refresh_from_db()
    assert v.status == S.READY and not NurseReview.objects.exists()


def test_it_stores_the_decision_with_who_when_and_the_diff(nurse: User) -> None:
    v, draft = ready_visit(ai_esi=3)
    data = form_data(v, draft, final_esi="2", chief_complaint="crushing chest pain")
    response = logged_in(nurse).post(reverse("visit_confirm", args=[v.pk]), data)
    assert response.status_code == 302
    v.refresh_from_db()
    assert v.status == S.REVIEWED and v.esi_final == 2 and v.esi_suggested == 3
    review = NurseReview.objects.get(visit=v)
    assert review.reviewed_by == nurse and review.draft == draft and not review.manual
    assert review.final_esi == 2 and review.final_record["esi"]["level"] == 2
    paths = {d["path"]: d for d in review.diff}
    assert paths["esi.level"]["from"] == 3 and paths["esi.level"]["to"] == 2
    assert paths["chief_complaint.normalized"]["to"] == "crushing chest pain"
    # The edited item is the nurse's, not a transcript quote.
    assert review.final_record["chief_complaint"]["quote"] == ""


def test_it_refuses_the_second_of_two_nurses_and_keeps_the_first(nurse: User) -> None:
    other = make_user("nurse2", Role.NURSE)
    v, draft = ready_visit()
    first, second = logged_in(nurse), logged_in(other)
    seen = v.version  # both opened the page at this version
    first.post(reverse("visit_confirm", args=[v.pk]), form_data(v, draft, final_esi="2"))
    response = second.post(
        reverse("visit_confirm", args=[v.pk]),
        {**form_data(v, draft, final_esi="4"), "version": seen},
        follow=True,
    )
    assert "Another nurse changed this visit" in response.content.decode()
    assert NurseReview.objects.count() == 1
    v.refresh_from_db()
    assert v.esi_final == 2 and NurseReview.objects.get().reviewed_by == nurse


def test_it_lets_a_nurse_triage_a_failed_visit_by_hand(nurse: User) -> None:
    v = visit("Failed Fay", S.FAILED)
    Visit.objects.filter(pk=v.pk).update(status_reason="The AI could not produce a draft")
    client = logged_in(nurse)
    body = client.get(reverse("visit", args=[v.pk])).content.decode()
    assert 'id="failed-reason"' in body and "could not produce a draft" in body
    assert 'id="rerun"' in body
    data = {"version": v.version, "final_esi": "3", "chief_complaint": "abdominal pain"}
    assert client.post(reverse("visit_confirm", args=[v.pk]), data).status_code == 302
    review = NurseReview.objects.get(visit=v)
    assert review.manual and review.draft is None


def test_it_reruns_a_failed_visit(nurse: User) -> None:
    v = visit("Rerun Ron", S.FAILED)
    Visit.objects.filter(pk=v.pk).update(chief_complaint_typed="cough")
    logged_in(nurse).post(reverse("visit_rerun", args=[v.pk]))
    v.refresh_from_db()
    assert v.status == S.SUMMARIZING


def test_it_reruns_a_failed_transcription_from_the_start(nurse: User, media: Path) -> None:
    from intake.models import ProcessingStep, StepName
    from tests.factories import queue_length

    v = visit("Garbled Gail", S.FAILED)
    add_recording(v, silent_wav(2.0))
    client = logged_in(nurse)
    assert 'id="rerun-start"' in client.get(reverse("visit", args=[v.pk])).content.decode()
    client.post(reverse("visit_rerun", args=[v.pk]), {"from": "start"})
    v.refresh_from_db()
    assert v.status == S.SUBMITTED and queue_length("asr") == 1
    assert ProcessingStep.objects.filter(visit=v, step=StepName.ASR).count() == 1
    assert AuditEvent.objects.filter(visit_id=v.pk, detail__to="submitted").exists()


def test_it_refuses_a_rerun_from_the_start_without_a_recording(nurse: User) -> None:
    v = visit("Typed Tess", S.FAILED)
    response = logged_in(nurse).post(
        reverse("visit_rerun", args=[v.pk]), {"from": "start"}, follow=True
    )
    assert "no recording to transcribe again" in response.content.decode()
    v.refresh_from_db()
    assert v.status == S.FAILED


# --- lifecycle ------------------------------------------------------------------------------------


def test_it_moves_a_reviewed_visit_to_roomed_seen_discharged(nurse: User) -> None:
    v = visit("Move Me", S.REVIEWED, final=3)
    client = logged_in(nurse)
    for target in ("roomed", "seen", "discharged"):
        v.refresh_from_db()
        client.post(reverse("visit_move", args=[v.pk]), {"target": target, "version": v.version})
        v.refresh_from_db()
        assert v.status == target and v.status_changed_by == nurse
    assert v.pk not in [x.pk for x in queue_visits()]


def test_it_records_who_cancelled_and_who_marked_left(nurse: User) -> None:
    a = visit("Cancel Me", S.READY, ai=4)
    b = visit("Left", S.TRANSCRIBING)
    client = logged_in(nurse)
    client.post(
        reverse("visit_move", args=[a.pk]),
        {"target": "cancelled", "version": a.version, "reason": "duplicate"},
    )
    client.post(
        reverse("visit_move", args=[b.pk]),
        {"target": "left_without_being_seen", "version": b.version},
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (
        a.status == S.CANCELLED and a.status_changed_by == nurse and a.status_reason == "duplicate"
    )
    assert b.status == S.LEFT_WITHOUT_BEING_SEEN and b.status_changed_at is not None


def test_it_refuses_a_stale_move(nurse: User) -> None:
    v = visit("Stale", S.REVIEWED, final=3)
    response = logged_in(nurse).post(
        reverse("visit_move", args=[v.pk]),
        {"target": "roomed", "version": v.version - 1},
        follow=True,
    )
    assert "Someone else changed this visit" in response.content.decode()
    v.refresh_from_db()
    assert v.status == S.REVIEWED


# --- print and audio ------------------------------------------------------------------------------


def test_it_prints_a_summary_that_says_whether_a_nurse_confirmed(nurse: User) -> None:
    v, draft = ready_visit()
    client = logged_in(nurse)
    body = client.get(reverse("visit_print", args=[v.pk])).content.decode()
    assert "NOT YET CONFIRMED BY A NURSE" in body and "print.css" in body
    client.post(reverse("visit_confirm", args=[v.pk]), form_data(v, draft, final_esi="2"))
    body = client.get(reverse("visit_print", args=[v.pk])).content.decode()
    assert "NOT YET CONFIRMED" not in body and "Final ESI <strong>2</strong>" in body


def test_it_serves_a_seekable_playback_copy_made_once(
    nurse: User,
    media: Path,
) -> None:
    from intake.models import Recording

    v = visit("Audio Ann", S.READY)
    add_recording(v, silent_wav(2.0))
    rec = Recording.objects.get(visit=v)
    client = logged_in(nurse)
    first = client.get(reverse("recording_audio", args=[rec.pk]), headers={"Range": "bytes=0-99"})
    assert first.status_code == 206 and first["Content-Type"].startswith("audio/")
    rec.refresh_from_db()
    name = rec.playback_media
    assert name and rec.duration_s is not None and abs(rec.duration_s - 2.0) < 0.2
    client.get(reverse("recording_audio", args=[rec.pk]))
    rec.refresh_from_db()
    assert rec.playback_media == name  # not made twice
    assert AuditEvent.objects.filter(action="recording.listen", visit_id=v.pk).count() == 2
    # A seek's later ranges are the same listen: not logged again.
    client.get(reverse("recording_audio", args=[rec.pk]), headers={"Range": "bytes=5000-"})
    assert AuditEvent.objects.filter(action="recording.listen", visit_id=v.pk).count() == 2
    # The page loads no audio until play is pressed, so opening it is no "listen".
    page = client.get(reverse("visit", args=[v.pk])).content.decode()
    assert 'preload="none"' in page and 'preload="metadata"' not in page


def test_it_audits_opening_the_queue_but_not_its_live_refreshes(nurse: User) -> None:
    client = logged_in(nurse)
    client.get(reverse("queue"))
    client.get(reverse("queue"), headers={"HX-Request": "true", "X-Intake-Background": "1"})
    client.get(reverse("queue") + "?status=ready")
    views = AuditEvent.objects.filter(action="queue.view", actor=nurse).order_by("seq")
    assert [e.detail["filter"] for e in views] == ["open", "ready"]
    assert {e.role for e in views} == {"nurse"}


def test_it_shows_which_step_is_working_on_a_visit(nurse: User) -> None:
    from intake.models import ProcessingStep

    v = visit("Working", S.TRANSCRIBING)
    ProcessingStep.objects.create(
        visit=v,
        step="asr",
        attempt=2,
        status="running",
        lease_owner="w",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
        started_at=timezone.now() - timedelta(seconds=12),
    )
    body = logged_in(nurse).get(reverse("queue")).content.decode()
    row = body.split(f'id="visit-{v.pk}"')[1].split("</tr>")[0]
    assert "asr running 1" in row and "attempt 2" in row


def test_it_renders_the_rows_once_per_change_for_all_nurses(nurse: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake.lifecycle import transition

    other = make_user("nurse2", Role.NURSE)
    v = visit("Cached Cara", S.SUBMITTED, floor=2)  # red flag: an alert with a form
    transition(v.pk, S.TRANSCRIBING)  # an event: a generation to cache under
    first = logged_in(nurse)
    second = Client(enforce_csrf_checks=True)
    assert second.login(request=HttpRequest(), username=other.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as cold:
        body = first.get(reverse("queue")).content.decode()
    with CaptureQueriesContext(connection) as warm:
        again = second.get(reverse("queue"), headers={"HX-Request": "true"}).content.decode()
    assert "Cached Cara" in body and "Cached Cara" in again
    assert "<html" not in again  # an htmx refresh gets the rows only
    assert len(warm) < len(cold)  # the rows came from the cache
    # The cached rows carry each session's own CSRF token: nurse 2's form works.
    token = again.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = second.post(reverse("visit_ack", args=[v.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    v.refresh_from_db()
    assert v.alert_ack_by == other
    transition(v.pk, S.SUMMARIZING)  # the next change renders anew
    assert "Summarizing" in second.get(reverse("queue")).content.decode()


def test_it_shows_each_firing_with_its_words_level_and_layer(nurse: User) -> None:
    flagged = visit("Flag", S.READY, floor=1)
    SafetyFiring.objects.create(
        visit=flagged,
        source="transcript",
        rule_id="anaphylaxis",
        rule_version="3",
        esi_floor=1,
        level="definite",
        layer="rules",
        description="Anaphylaxis: swelling of throat, tongue or lips",
        reason="throat swelling + allergy trigger",
        evidence=[{"quote": "my throat is closing", "supported": True, "segment": 0, "t0": 1.5}],
    )
    SafetyFiring.objects.create(
        visit=flagged,
        source="typed",
        rule_id="chest_pain_acs",
        esi_floor=2,
        level="possible",
        layer="semantic",
        evidence=[{"quote": "a belt round me", "supported": True, "segment": 0}],
    )
    client = logged_in(nurse)
    page = client.get(reverse("visit", args=[flagged.pk])).content.decode()
    firings = page[page.index('id="firings"') : page.index("</ul>", page.index('id="firings"'))]
    assert "Anaphylaxis: swelling of throat" in firings and "anaphylaxis<" not in firings
    assert "Definite" in firings and "found by word rules in the transcript" in firings
    # An older row without a stored description reads the catalogue's.
    assert "Chest pain or pressure that may be a heart attack" in firings
    assert (
        "Possible: check" in firings and "found by meaning match in the typed complaint" in firings
    )
    # Transcript words jump to the recording; typed words have no place on it.
    assert 'data-segment="0" data-t0="1.5"' in firings
    assert firings.count("data-segment") == 1
    assert "rule_id" not in firings and "chest_pain_acs" not in firings
    queue = client.get(reverse("queue")).content.decode()
    assert "Anaphylaxis" in queue and "Possible heart attack?" in queue
