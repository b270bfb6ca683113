"""Front-desk views against the real database, media store and broker (no browser): start,
urgent, typed complaint, chunked audio, photos, submit, and new media after submit."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from intake.models import AuditEvent, Patient, Photo, Recording, Visit
from intake.states import VisitStatus
from tests.conftest import PASSWORD, logged_in
from tests.factories import queue_length, silent_wav

pytestmark = pytest.mark.django_db(transaction=True)
S = VisitStatus


def new_intake(client: Client, **extra: str) -> Visit:
    data = {
        "name": "Ada  Lovelace",
        "date_of_birth": "1960-12-10",
        "sex": "female",
        "preferred_language": "en",
        "consent_to_record": "on",
        **extra,
    }
    response = client.post(reverse("intake_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Visit.objects.select_related("patient").latest("pk")


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def send_chunk(client: Client, visit: Visit, rec: int, seq: int, data: bytes) -> Any:
    return client.post(
        reverse("intake_chunk", args=[visit.pk, rec, seq]),
        data,
        content_type="application/octet-stream",
        headers={
            "X-Chunk-Sha256": hashlib.sha256(data).hexdigest(),
            "X-Recording-Type": "audio/wav",
            "Accept": "application/json",
        },
    )


def upload_recording(client: Client, visit: Visit, data: bytes, rec: int = 0) -> None:
    parts = [data[i : i + 20000] for i in range(0, len(data), 20000)]
    for seq, part in enumerate(parts):
        response = send_chunk(client, visit, rec, seq, part)
        assert response.status_code == 200, response.content
    response = client.post(
        reverse("intake_recording_complete", args=[visit.pk, rec]),
        {"chunks": str(len(parts))},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.content


# --- pages and roles ---------------------------------------------------------------------------


def test_it_shows_a_start_screen_without_patient_data(front_desk: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    response = client.get(reverse("front_desk"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "New intake" in body
    assert visit.patient.name not in body and "Lovelace" not in body
    assert response["Cache-Control"] == "private, no-store"


def test_it_keeps_nurses_and_it_off_the_tablet_pages(
    front_desk: User, nurse: User, it_admin: User
) -> None:
    visit = new_intake(logged_in(front_desk))
    for user in (nurse, it_admin):
        client = logged_in(user)
        assert client.get(reverse("intake_visit", args=[visit.pk])).status_code == 403
        assert client.get(reverse("intake_new")).status_code == 403


def test_it_starts_an_intake_with_consent_recorded(front_desk: User) -> None:
    visit = new_intake(logged_in(front_desk), mrn="MRN-1", phone="555-0100")
    assert visit.status == S.DRAFT
    assert visit.patient.name == "Ada Lovelace"  # whitespace tidied
    assert visit.consent_to_record and visit.consent_recorded_by == front_desk
    assert visit.consent_recorded_at is not None
    assert AuditEvent.objects.filter(action="visit.start", visit_id=visit.pk).exists()


def test_it_audits_the_front_desk_review_page(front_desk: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    assert client.get(reverse("intake_review", args=[visit.pk])).status_code == 200
    event = AuditEvent.objects.filter(action="visit.view", visit_id=visit.pk).latest("seq")
    assert event.detail == {"page": "front_desk_review"}
    assert event.actor == front_desk and event.role == "front_desk"
    assert event.patient_id == visit.patient_id


def test_it_requires_name_and_date_of_birth(front_desk: User) -> None:
    client = logged_in(front_desk)
    response = client.post(reverse("intake_new"), {"name": "", "sex": "female"})
    assert response.status_code == 200
    assert Visit.objects.count() == 0
    assert "This field is required" in response.content.decode()


def test_it_refuses_a_birth_date_in_the_future(front_desk: User) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = logged_in(front_desk).post(
        reverse("intake_new"), {"name": "A B", "date_of_birth": tomorrow, "sex": "male"}
    )
    assert "in the future" in response.content.decode()
    assert Visit.objects.count() == 0


def test_it_starts_an_urgent_intake_without_paperwork(front_desk: User, nurse: User) -> None:
    client = logged_in(front_desk)
    response = client.post(reverse("intake_new"), {"urgent": "1"})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.urgent and visit.urgent_by == front_desk
    assert visit.patient.name == "Unknown patient" and visit.patient.date_of_birth is None
    # A nurse sees it at once, before anything was recorded or submitted.
    queue = logged_in(nurse).get(reverse("queue")).content.decode()
    assert f'id="visit-{visit.pk}"' in queue and "Needs a nurse now" in queue


def test_it_puts_an_urgent_visit_at_the_top_of_the_queue(front_desk: User, nurse: User) -> None:
    client = logged_in(front_desk)
    first = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[first.pk]), {"complaint": "sore throat"})
    client.post(reverse("intake_submit", args=[first.pk]))
    second = new_intake(client, name="Grace Hopper")
    response = client.post(
        reverse("intake_urgent", args=[second.pk]), headers={"HX-Request": "true"}
    )
    assert "A nurse has been alerted" in response.content.decode()
    queue = logged_in(nurse).get(reverse("queue")).content.decode()
    assert queue.index(f'id="visit-{second.pk}"') < queue.index(f'id="visit-{first.pk}"')
    second.refresh_from_db()
    assert second.urgent and second.version == 2
    # Pressing it twice changes nothing more.
    client.post(reverse("intake_urgent", args=[second.pk]))
    second.refresh_from_db()
    assert second.version == 2


def test_it_points_out_the_same_patient_earlier_today(front_desk: User) -> None:
    client = logged_in(front_desk)
    first = new_intake(client)
    second = new_intake(client, name="ada lovelace")
    body = client.get(reverse("intake_visit", args=[second.pk])).content.decode()
    assert f'data-earlier-visit="{first.pk}"' in body
    other = new_intake(client, name="Someone Else")
    body = client.get(reverse("intake_visit", args=[other.pk])).content.decode()
    assert "data-earlier-visit" not in body


def test_it_warns_when_the_speech_model_cannot_handle_the_language(front_desk: User) -> None:
    client = logged_in(front_desk)
    english = new_intake(client)
    spanish = new_intake(client, name="Ana", preferred_language="es")
    assert (
        'id="language-warning"'
        not in client.get(reverse("intake_visit", args=[english.pk])).content.decode()
    )
    body = client.get(reverse("intake_visit", args=[spanish.pk])).content.decode()
    # The bundled tiny.en model is English-only.
    assert 'id="language-warning"' in body and "Spanish" in body


def test_it_shows_the_recorder_only_with_consent(front_desk: User) -> None:
    client = logged_in(front_desk)
    with_consent = new_intake(client)
    without = new_intake(client, name="No Consent", consent_to_record="")
    assert (
        'id="recorder"'
        in client.get(reverse("intake_visit", args=[with_consent.pk])).content.decode()
    )
    body = client.get(reverse("intake_visit", args=[without.pk])).content.decode()
    assert 'id="recorder"' not in body and 'id="no-consent"' in body


def test_it_hides_old_visits_from_the_tablet(front_desk: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    Visit.objects.filter(pk=visit.pk).update(arrived_at=timezone.now() - timedelta(days=2))
    assert client.get(reverse("intake_visit", args=[visit.pk])).status_code == 404


def test_it_hides_visits_a_nurse_has_reviewed_from_the_tablet(front_desk: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    assert client.get(reverse("intake_visit", args=[visit.pk])).status_code == 200
    for status in (S.REVIEWED, S.ROOMED):
        Visit.objects.filter(pk=visit.pk).update(status=status)
        assert client.get(reverse("intake_visit", args=[visit.pk])).status_code == 404
        assert client.get(reverse("intake_review", args=[visit.pk])).status_code == 404
        assert (
            f"/front-desk/visit/{visit.pk}/"
            not in client.get(reverse("intake_today")).content.decode()
        )


# --- typed complaint and submit ------------------------------------------------------------------


def test_it_sends_a_typed_complaint_to_the_queue(front_desk: User, nurse: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    response = client.post(
        reverse("intake_complaint", args=[visit.pk]),
        {"complaint": "Crushing chest pain and short of breath"},
        headers={"HX-Request": "true"},
    )
    assert 'id="complaint-saved"' in response.content.decode()
    response = client.post(reverse("intake_submit", args=[visit.pk]))
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    visit.refresh_from_db()
    assert visit.status == S.SUMMARIZING  # typed: no ASR, straight to the draft
    assert visit.esi_rule_floor is not None and visit.esi_rule_floor <= 2  # rules ran at once
    assert queue_length("llm") == 1
    queue = logged_in(nurse).get(reverse("queue")).content.decode()
    assert "triage by hand" in queue


def test_it_refuses_to_submit_nothing(front_desk: User) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    response = client.post(reverse("intake_submit", args=[visit.pk]), follow=True)
    assert "Record the patient or type the complaint" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == S.DRAFT


# --- audio chunks --------------------------------------------------------------------------------


def test_it_takes_a_chunked_recording_and_submits_it(
    front_desk: User,
    media: Path,
) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    audio = silent_wav(2.0)
    upload_recording(client, visit, audio)
    rec = Recording.objects.get(visit=visit)
    assert rec.completed_at is not None and rec.chunks.count() == -(-len(audio) // 20000)
    # The nurse page's seekable copy is a worker's job, queued when the recording completes.
    assert queue_length("default") == 1
    from intake.pipeline.tasks import make_playback_copy

    make_playback_copy(rec.pk)
    rec.refresh_from_db()
    assert rec.playback_media and rec.playback_mime_type.startswith("audio/")
    client.post(reverse("intake_submit", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == S.SUBMITTED
    assert queue_length("asr") == 1


def test_it_refuses_to_submit_while_a_recording_is_still_uploading(
    front_desk: User,
    media: Path,
) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    send_chunk(client, visit, 0, 0, silent_wav(1.0))
    response = client.post(reverse("intake_submit", args=[visit.pk]), follow=True)
    assert "not finished uploading" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == S.DRAFT


def test_it_answers_a_logged_out_tablet_with_401_json(
    front_desk: User,
    media: Path,
) -> None:
    visit = new_intake(logged_in(front_desk))
    response = send_chunk(Client(), visit, 0, 0, silent_wav(1.0))
    assert response.status_code == 401
    assert response.json()["code"] == "logged_out"
    assert not Recording.objects.exists()


def test_it_answers_a_gap_with_the_expected_chunk(
    front_desk: User,
    media: Path,
) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    audio = silent_wav(2.0)
    assert send_chunk(client, visit, 0, 0, audio[:20000]).status_code == 200
    response = send_chunk(client, visit, 0, 2, audio[40000:60000])
    assert response.status_code == 409
    assert response.json()["code"] == "chunk_gap"
    assert response.json()["expected_seq"] == 1
    # A retried chunk is acknowledged, not stored twice.
    again = send_chunk(client, visit, 0, 0, audio[:20000])
    assert again.json()["code"] == "duplicate"
    assert Recording.objects.get(visit=visit).chunks.count() == 1


# --- photos --------------------------------------------------------------------------------------


def test_it_stores_shows_and_deletes_a_photo(
    front_desk: User,
    nurse: User,
    media: Path,
) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client)
    response = client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "wound", "photo": io.BytesIO(jpeg_bytes())},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.content
    photo = Photo.objects.get(pk=response.json()["photo"])
    assert photo.kind == "wound"
    listing = client.get(reverse("intake_photos", args=[visit.pk])).content.decode()
    assert reverse("photo_image", args=[photo.pk]) in listing
    image = client.get(reverse("photo_image", args=[photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:3] == b"\xff\xd8\xff"  # type: ignore[attr-defined]
    assert logged_in(nurse).get(reverse("photo_image", args=[photo.pk])).status_code == 200

    client.post(reverse("intake_photo_delete", args=[visit.pk, photo.pk]))
    photo.refresh_from_db()
    assert photo.deleted_at is not None
    assert client.get(reverse("photo_image", args=[photo.pk])).status_code == 404
    assert not list(media.rglob("*.cims"))  # the file itself is gone


def test_it_checks_csrf_on_photo_uploads(
    front_desk: User,
    media: Path,
) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username=front_desk.username, password=PASSWORD)
    visit = new_intake_without_csrf(front_desk)
    response = client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "wound", "photo": io.BytesIO(jpeg_bytes())},
    )
    assert response.status_code == 403
    assert not Photo.objects.exists()


def new_intake_without_csrf(user: User) -> Visit:
    patient = Patient.objects.create(name="X Y", date_of_birth="1990-01-01")
    return Visit.objects.create(patient=patient, created_by=user)


def test_it_drafts_again_when_a_photo_arrives_after_the_draft(
    front_desk: User,
    media: Path,
) -> None:
    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "rash on arm"})
    client.post(reverse("intake_submit", args=[visit.pk]))
    # The pipeline is busy: the photo is noted and the run restarts when it ends.
    client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "rash", "photo": io.BytesIO(jpeg_bytes())},
    )
    visit.refresh_from_db()
    assert visit.status == S.SUMMARIZING and visit.reprocess == "llm"
    # Once ready, a new photo restarts extraction at once.
    Visit.objects.filter(pk=visit.pk).update(status=S.READY, reprocess="")
    before = queue_length("llm")
    client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "rash", "photo": io.BytesIO(jpeg_bytes())},
    )
    visit.refresh_from_db()
    assert visit.status == S.SUMMARIZING
    assert queue_length("llm") == before + 1


def test_it_restarts_the_draft_when_a_photo_came_during_the_run(
    front_desk: User,
    media: Path,
) -> None:
    from intake.models import AIDraft
    from intake.pipeline import runs
    from tests.fixtures_models import StubLlm

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "rash on my arm"})
    client.post(reverse("intake_submit", args=[visit.pk]))
    client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "rash", "photo": io.BytesIO(jpeg_bytes())},
    )
    # The run that was going ends; the photo's run starts at once (no nurse saw "ready" yet
    # without it).
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    visit.refresh_from_db()
    assert visit.status == S.SUMMARIZING and visit.reprocess == ""
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    visit.refresh_from_db()
    assert visit.status == S.READY
    assert AIDraft.objects.filter(visit=visit).count() == 2


def test_it_shows_the_visits_photos_to_a_vision_model(
    front_desk: User,
    media: Path,
) -> None:
    from intake.models import AIDraft
    from intake.pipeline import runs
    from tests.fixtures_models import StubLlm

    class VisionStub(StubLlm):
        vision = True

        def __init__(self) -> None:
            super().__init__()
            self.messages: list[object] = []

        def generate(self, messages, **kw):
            self.messages.append(messages)
            return super().generate(messages, **kw)

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "rash on my arm"})
    for kind in ("rash", "medication"):
        client.post(
            reverse("intake_photo_add", args=[visit.pk]),
            {"kind": kind, "photo": io.BytesIO(jpeg_bytes())},
        )
    client.post(reverse("intake_submit", args=[visit.pk]))
    engine = VisionStub()
    assert runs.run_extraction(visit.pk, engine) == "done"
    sent = repr(engine.messages[0])
    assert sent.count("data:image/jpeg;base64,") == 2  # both photos, as data: URIs only
    assert AIDraft.objects.get(visit=visit, is_current=True).photos_analysed
    # Named by kind only: nothing about the patient in what the engine may log.
    assert runs.visit_photos(visit.pk)[0].name == "rash photo"


# --- the red-flag net where text enters ----------------------------------------------------------


def test_it_screens_a_complaint_edited_after_submit_like_new_media(
    front_desk: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake import events
    from intake.models import SafetyFiring
    from intake.pipeline import runs
    from tests.fixtures_models import StubLlm

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "sore ankle"})
    client.post(reverse("intake_submit", args=[visit.pk]))
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"
    visit.refresh_from_db()
    assert (visit.status, visit.esi_rule_floor) == (S.READY, None)
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(events, "_send", lambda event: sent.append(dict(event)))
    before, queued = visit.version, queue_length("llm")
    client.post(
        reverse("intake_complaint", args=[visit.pk]),
        {"complaint": "sore ankle, and now he says his chest is crushing and he's sweating"},
    )
    visit.refresh_from_db()
    # The word rules ran at once: the floor is up before any model runs again...
    assert visit.esi_rule_floor == 2
    firing = SafetyFiring.objects.get(visit=visit, rule_id="chest_pain_acs")
    assert (firing.source, firing.layer, firing.level) == ("typed", "rules", "definite")
    assert firing.description.startswith("Chest pain or pressure")
    # ...and the visit is processed again like new media, the queue told of each change.
    assert visit.version > before and visit.status == S.SUMMARIZING
    assert queue_length("llm") == queued + 1
    assert sent and sent[-1]["version"] == visit.version
    # Saving the same words again changes nothing.
    version = visit.version
    client.post(
        reverse("intake_complaint", args=[visit.pk]),
        {"complaint": "sore ankle, and now he says his chest is crushing and he's sweating"},
    )
    visit.refresh_from_db()
    assert visit.version == version
    assert SafetyFiring.objects.filter(visit=visit).count() == 1


def test_it_sends_a_photo_only_visit_to_the_nurses_for_triage_by_hand(
    front_desk: User, nurse: User, media: Path
) -> None:
    from intake.pipeline.messages import PHOTOS_ONLY

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "wound", "photo": io.BytesIO(jpeg_bytes())},
    )
    response = client.post(reverse("intake_submit", args=[visit.pk]))
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == (S.FAILED, PHOTOS_ONLY)
    assert queue_length("llm") == 0 and queue_length("asr") == 0
    page = logged_in(nurse).get(reverse("visit", args=[visit.pk])).content.decode()
    assert "Triage by hand:" in page and "no words to screen" in page


def test_it_answers_a_double_submit_with_the_visit_as_it_is(front_desk: User) -> None:
    from intake.pipeline import submit

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "rash on my arm"})
    first = submit.submit_visit(visit.pk, front_desk)
    second = submit.submit_visit(visit.pk, front_desk)
    assert first.status == second.status == S.SUMMARIZING
    assert second.version == first.version and queue_length("llm") == 1


def test_it_tells_the_nurse_what_the_worker_noted(
    front_desk: User, nurse: User, media: Path
) -> None:
    from intake.models import AIDraft
    from intake.pipeline import runs
    from tests.fixtures_models import StubLlm

    client = logged_in(front_desk)
    visit = new_intake(client, consent_to_record="")
    client.post(reverse("intake_complaint", args=[visit.pk]), {"complaint": "rash on my arm"})
    client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"kind": "rash", "photo": io.BytesIO(jpeg_bytes())},
    )
    client.post(reverse("intake_submit", args=[visit.pk]))
    assert runs.run_extraction(visit.pk, StubLlm()) == "done"  # no vision: photos not read
    (note,) = AIDraft.objects.get(visit=visit, is_current=True).notes
    assert "1 photo(s) not analysed" in note
    page = logged_in(nurse).get(reverse("visit", args=[visit.pk])).content.decode()
    assert 'id="draft-notes"' in page and "1 photo(s) not analysed" in page
