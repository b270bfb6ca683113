"""FHIR R4B export of a reviewed visit: it validates, round-trips through fhir.resources, keeps
the nurse's ESI apart from the AI's suggestion, resolves its references inside the bundle,
marks media deleted by retention and never carries audio or photo bytes."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter

from inference.triage.schema import SCHEMA_VERSION, TriageRecord, Vital
from intake.clinic_time import clinic_today
from intake.fhir import NotReviewed, build_bundle, bundle_json
from intake.fhir.observations import vital_value
from intake.fhir.validate import invalid_codes, unresolved_references
from intake.models import (
    AIDraft,
    AuditEvent,
    NurseReview,
    Photo,
    Recording,
    RecordingChunk,
    SafetyFiring,
    Transcript,
    TranscriptSegment,
    Visit,
)
from intake.states import VisitStatus
from tests.conftest import logged_in
from tests.factories import make_visit

pytestmark = pytest.mark.django_db

SAID = (
    "I have crushing chest pain going down my left arm, it started an hour ago. "
    "My heart rate was 120 and oxygen 91 percent, temperature 100.4 F, blood pressure 150/90. "
    "I'm allergic to penicillin, I get hives. I take aspirin 81 mg."
)
FEATURE_TYPES = {
    "Patient",
    "Encounter",
    "Observation",
    "Condition",
    "AllergyIntolerance",
    "MedicationStatement",
    "Flag",
    "Media",
    "DocumentReference",
    "Provenance",
    "Practitioner",
    "Device",
}
ESI_LOINC = "75636-1"


def triage_record(esi: int, rationale: str) -> dict[str, Any]:
    return {
        "chief_complaint": {"normalized": "chest pain", "quote": "I have crushing chest pain"},
        "hpi": {
            "onset": {"text": "one hour ago", "quote": "it started an hour ago"},
            "provocation": None,
            "quality": {"text": "crushing", "quote": "crushing chest pain"},
            "region_radiation": {"text": "left arm", "quote": "going down my left arm"},
            "severity": {"value": "severe", "quote": "crushing"},
            "time_course": None,
        },
        "symptoms": [{"name": "arm pain", "quote": "going down my left arm"}],
        "pain": {"score": 8, "quote": "crushing chest pain"},
        "vitals": {
            "heart_rate": {"value": "120", "quote": "My heart rate was 120"},
            "respiratory_rate": {"value": "fast", "quote": "breathing fast"},
            "spo2": {"value": "91 percent", "quote": "oxygen 91 percent"},
            "temperature": {"value": "100.4 F", "quote": "temperature 100.4 F"},
            "blood_pressure": {"value": "150/90", "quote": "blood pressure 150/90"},
        },
        "allergies": [
            {"substance": "penicillin", "reaction": "hives", "quote": "allergic to penicillin"}
        ],
        "medications": [{"name": "aspirin", "dose": "81 mg", "quote": "I take aspirin 81 mg"}],
        "history": [],
        "red_flags": [{"flag": "chest pain radiating to arm", "quote": "down my left arm"}],
        "esi": {"level": esi, "rationale": rationale},
    }


AI_RECORD = triage_record(3, "chest pain, stable vitals")
FINAL_RECORD = triage_record(2, "possible ACS")


def add_media(visit: Visit) -> dict[str, Any]:
    now = timezone.now()
    recording = Recording.objects.create(
        visit=visit,
        sequence=1,
        mime_type="audio/webm",
        completed_at=now + timedelta(seconds=13),
        duration_s=12.5,
        playback_media="playback-1",
        playback_mime_type="audio/ogg",
    )
    for seq in range(3):
        RecordingChunk.objects.create(
            recording=recording, seq=seq, media_name=f"chunk-{seq}", size=1000, sha256="0" * 64
        )
    # Superseded by a re-record: withdrawn, so not exported.
    Recording.objects.create(visit=visit, sequence=2, mime_type="audio/webm", discarded=True)

    def photo(kind: str, **extra: Any) -> Photo:
        return Photo.objects.create(
            visit=visit,
            kind=kind,
            media_name=f"photo-{kind}",
            content_type="image/jpeg",
            size=2048,
            sha256="1" * 64,
            width=640,
            height=480,
            **extra,
        )

    return {
        "recording": recording,
        "live": photo("wound"),
        "purged": photo("rash", media_purged_at=now - timedelta(days=1)),
        "deleted": photo("other", deleted_at=now),
    }


def add_transcript(visit: Visit, recording: Recording) -> Transcript:
    transcript = Transcript.objects.create(
        visit=visit,
        text=SAID,
        model_id="ggml-tiny.en",
        language="en",
        detected_language="en",
        audio_seconds=12.5,
        wall_seconds=1.0,
    )
    first, second = SAID.split(". ", 1)
    for index, (text, start, end) in enumerate(((first, 0.0, 4.0), (second, 4.0, 12.5))):
        TranscriptSegment.objects.create(
            transcript=transcript,
            index=index,
            recording=recording,
            start_s=start,
            end_s=end,
            text=text,
        )
    return transcript


def reviewed_visit(nurse: User) -> tuple[Visit, dict[str, Any]]:
    """A realistic reviewed visit: the nurse raised the AI's ESI 3 to 2."""
    visit = make_visit()
    visit.patient.mrn = "MRN-0042"
    visit.patient.sex = "female"
    visit.patient.save()
    media = add_media(visit)
    transcript = add_transcript(visit, media["recording"])
    assert TriageRecord.model_validate(AI_RECORD).esi.level == 3
    draft = AIDraft.objects.create(
        visit=visit,
        transcript=transcript,
        data=AI_RECORD,
        schema_version=SCHEMA_VERSION,
        model_id="gemma-3-270m-q4_k_m",
        prompt_version="triage-2026-11-1",
        photos_analysed=True,
    )
    firing = SafetyFiring.objects.create(
        visit=visit,
        transcript=transcript,
        source=SafetyFiring.Source.TRANSCRIPT,
        rule_id="chest_pain_acs",
        rule_version="1",
        esi_floor=2,
        evidence=[{"quote": "crushing chest pain", "segment": 0, "start": 7, "end": 26}],
    )
    NurseReview.objects.create(
        visit=visit,
        draft=draft,
        final_record=FINAL_RECORD,
        final_esi=2,
        diff=[{"path": "esi.level", "from": 3, "to": 2}],
        reviewed_by=nurse,
    )
    Visit.objects.filter(pk=visit.pk).update(
        status=VisitStatus.REVIEWED, esi_rule_floor=2, esi_suggested=3, esi_final=2
    )
    visit.refresh_from_db()
    return visit, {**media, "draft": draft, "firing": firing, "transcript": transcript}


@pytest.fixture
def nurse_named(nurse: User) -> User:
    nurse.first_name, nurse.last_name = "Ada", "Nurse"
    nurse.save()
    return nurse


@pytest.fixture
def exported(nurse_named: User) -> tuple[Visit, dict[str, Any], dict[str, Any]]:
    visit, rows = reviewed_visit(nurse_named)
    return visit, rows, json.loads(bundle_json(visit.pk))


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def esi_observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o
        for o in resources(bundle, "Observation")
        if any(c.get("code") == ESI_LOINC for c in o["code"].get("coding", []))
    ]


def all_values(node: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key` anywhere in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from all_values(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from all_values(item, key)


# --- the bundle ----------------------------------------------------------------------------


def test_it_round_trips_through_fhir_resources(exported: Any) -> None:
    _, _, data = exported
    text = json.dumps(data)
    parsed = Bundle.model_validate_json(text)
    assert json.loads(parsed.model_dump_json()) == data
    # Each entry also validates on its own, as its own resource class.
    for entry in data["entry"]:
        resource = entry["resource"]
        cls = get_fhir_model_class(resource["resourceType"])
        assert json.loads(cls.model_validate(resource).model_dump_json()) == resource
    assert data["type"] == "collection"
    assert invalid_codes(parsed) == []


def test_it_holds_every_resource_type_of_the_issue(exported: Any) -> None:
    _, _, data = exported
    assert {e["resource"]["resourceType"] for e in data["entry"]} == FEATURE_TYPES
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls)
    assert all(u.startswith("urn:uuid:") for u in urls)
    for entry in data["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"


def test_it_exports_the_same_ids_twice(exported: Any) -> None:
    visit, _, data = exported
    assert json.loads(bundle_json(visit.pk)) == data


def test_it_resolves_every_reference_inside_the_bundle(exported: Any) -> None:
    visit, _, data = exported
    urls = set(by_url(data))
    references = list(all_values(data, "reference"))
    assert len(references) > 20
    assert set(references) <= urls
    assert unresolved_references(build_bundle(visit.pk)) == []


def test_it_maps_the_encounter(exported: Any) -> None:
    _, _, data = exported
    (encounter,) = resources(data, "Encounter")
    assert encounter["status"] == "triaged"
    # "triaged" is an R4B EncounterStatus (fhir.resources lists it too).
    extra = Encounter.model_fields["status"].json_schema_extra
    assert isinstance(extra, dict) and "triaged" in cast(list[str], extra["enum_values"])
    assert encounter["class"]["code"] == "AMB"
    # The nurse's ESI 2, not the AI's 3.
    assert encounter["priority"]["coding"][0]["code"] == "EM"
    assert encounter["priority"]["text"].startswith("ESI 2")
    (condition,) = resources(data, "Condition")
    assert by_url(data)[encounter["reasonReference"][0]["reference"]] == condition


def test_it_carries_the_nurses_esi_and_marks_the_ai_suggestion(exported: Any) -> None:
    _, rows, data = exported
    (esi,) = esi_observations(data)  # only the nurse's decision carries the LOINC code
    assert esi["valueInteger"] == 2
    assert esi["status"] == "final"
    (performer,) = esi["performer"]
    assert by_url(data)[performer["reference"]]["resourceType"] == "Practitioner"
    assert performer["display"] == "Ada Nurse"

    (ai,) = [o for o in resources(data, "Observation") if "device" in o]
    assert ai["valueInteger"] == 3
    assert ai["status"] == "preliminary"
    assert ai["method"]["text"] == "AI suggestion"
    assert "coding" not in ai["code"] and "suggestion" in ai["code"]["text"]
    device = by_url(data)[ai["device"]["reference"]]
    assert device["deviceName"][0]["name"] == rows["draft"].model_id

    provenance = {
        p["activity"]["text"]: p for p in resources(data, "Provenance") if "activity" in p
    }
    decision = provenance["Final ESI set by the triage nurse"]
    esi_url = next(u for u, r in by_url(data).items() if r is esi)
    assert esi_url in {t["reference"] for t in decision["target"]}
    # No software among those who made the decision.
    agents = [by_url(data)[a["who"]["reference"]] for a in decision["agent"]]
    assert [a["resourceType"] for a in agents] == ["Practitioner"]
    review = provenance["Nurse review of the AI draft"]
    kinds = {a["type"]["coding"][0]["code"]: a["who"]["reference"] for a in review["agent"]}
    assert by_url(data)[kinds["verifier"]]["resourceType"] == "Practitioner"
    assert by_url(data)[kinds["assembler"]]["resourceType"] == "Device"
    assert esi_url not in {t["reference"] for t in review["target"]}
    draft = provenance["AI triage draft (suggestion)"]
    assert [t["reference"] for t in draft["target"]] == [
        next(u for u, r in by_url(data).items() if r is ai)
    ]


def test_it_maps_pain_and_the_mentioned_vitals(exported: Any) -> None:
    _, _, data = exported
    observations = {
        o["code"]["coding"][0]["code"]: o
        for o in resources(data, "Observation")
        if o["code"].get("coding")
    }
    assert observations["72514-3"]["valueInteger"] == 8
    heart = observations["8867-4"]["valueQuantity"]
    assert (heart["value"], heart["code"], heart["system"]) == (
        120,
        "/min",
        "http://unitsofmeasure.org",
    )
    assert observations["59408-5"]["valueQuantity"]["code"] == "%"
    assert {c["code"] for c in observations["59408-5"]["code"]["coding"]} == {"59408-5", "2708-6"}
    assert observations["8310-5"]["valueQuantity"] == {
        "value": 100.4,
        "unit": "F",
        "system": "http://unitsofmeasure.org",
        "code": "[degF]",
    }
    bp = {
        c["code"]["coding"][0]["code"]: c["valueQuantity"]
        for c in observations["85354-9"]["component"]
    }
    assert (bp["8480-6"]["value"], bp["8462-4"]["value"]) == (150, 90)
    assert bp["8480-6"]["code"] == "mm[Hg]"
    # "fast" is no number: kept as said, never invented.
    assert observations["9279-1"]["valueString"] == "fast"
    for code in ("8867-4", "9279-1", "59408-5", "8310-5", "85354-9"):
        assert observations[code]["category"][0]["coding"][0]["code"] == "vital-signs"


@pytest.mark.parametrize(
    ("kind", "said", "expected"),
    [
        ("spo2", "SpO2 91", {"valueQuantity": (Decimal("91"), "%")}),
        ("temperature", "temperature of 38.5", {"valueQuantity": (Decimal("38.5"), "Cel")}),
        ("temperature", "101F", {"valueQuantity": (Decimal("101"), "[degF]")}),
        ("temperature", "38,2 C", {"valueQuantity": (Decimal("38.2"), "Cel")}),
        ("temperature", "60", {"valueString": "60"}),  # neither C nor F: not guessed
        ("heart_rate", "about a hundred", {"valueString": "about a hundred"}),
        ("blood_pressure", "150 over 90", {"component": (Decimal("150"), Decimal("90"))}),
        ("blood_pressure", "high", {"valueString": "high"}),
    ],
)
def test_it_reads_vitals_as_said(kind: str, said: str, expected: dict[str, Any]) -> None:
    value = vital_value(kind, Vital(value=said, quote=said))
    assert value.keys() == expected.keys()
    if "valueQuantity" in value:
        quantity = value["valueQuantity"]
        assert (quantity["value"], quantity["code"]) == expected["valueQuantity"]
    elif "component" in value:
        assert (
            tuple(c["valueQuantity"]["value"] for c in value["component"])
            == (expected["component"])
        )
    else:
        assert value == expected


def test_it_maps_the_record(exported: Any) -> None:
    _, _, data = exported
    (condition,) = resources(data, "Condition")
    assert condition["code"]["text"] == "chest pain"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert condition["severity"]["coding"][0]["code"] == "24484000"
    assert condition["onsetString"] == "one hour ago"
    # Radiation is not the site of the complaint: a note, never bodySite.
    assert "bodySite" not in condition
    assert {"text": "Region/radiation: left arm"} in condition["note"]
    (allergy,) = resources(data, "AllergyIntolerance")
    assert allergy["code"]["text"] == "penicillin"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "hives"
    (medication,) = resources(data, "MedicationStatement")
    assert medication["medicationCodeableConcept"]["text"] == "aspirin"
    assert medication["dosage"][0]["text"] == "81 mg"
    flags = {f["code"]["text"]: f for f in resources(data, "Flag")}
    (rule,) = [t for t in flags if "chest_pain_acs v1" in t]
    assert by_url(data)[flags[rule]["author"]["reference"]]["resourceType"] == "Device"
    assert "Red flag: chest pain radiating to arm" in flags
    assert all(f["status"] == "active" and "start" in f["period"] for f in flags.values())
    (patient,) = resources(data, "Patient")
    assert patient["identifier"][0]["value"] == "MRN-0042"
    assert patient["gender"] == "female"


def test_it_marks_purged_media_and_carries_no_bytes(exported: Any) -> None:
    _, rows, data = exported
    media = {m["content"].get("title"): m for m in resources(data, "Media")}
    # Withdrawn media (photo deleted by staff, discarded re-record) are not exported.
    assert set(media) == {"Intake recording 1", "Wound photo", "Rash photo"}
    live, purged = media["Wound photo"], media["Rash photo"]
    assert live["content"]["url"] == f"/media/photos/{rows['live'].pk}/"
    assert "note" not in live
    assert "url" not in purged["content"]
    assert purged["status"] == "completed"
    assert purged["note"][0]["text"].startswith("File deleted by retention on ")
    audio = media["Intake recording 1"]
    assert audio["type"]["coding"][0]["code"] == "audio"
    assert "url" not in audio["content"]
    assert audio["duration"] == 12.5
    assert audio["createdPeriod"]["start"] <= audio["createdPeriod"]["end"]
    assert "note" not in audio

    # The only inline data anywhere is the transcript text.
    (transcript,) = resources(data, "DocumentReference")
    attachment = transcript["content"][0]["attachment"]
    assert attachment["contentType"].startswith("text/plain")
    assert attachment["language"] == "en"
    assert base64.b64decode(attachment["data"]).decode() == SAID
    assert list(all_values(data, "data")) == [attachment["data"]]
    assert "Binary" not in {e["resource"]["resourceType"] for e in data["entry"]}


def test_it_marks_a_recording_deleted_by_retention(nurse_named: User) -> None:
    visit, rows = reviewed_visit(nurse_named)
    purged_at = timezone.now()
    Recording.objects.filter(pk=rows["recording"].pk).update(media_purged_at=purged_at)
    data = json.loads(bundle_json(visit.pk))
    (audio,) = [m for m in resources(data, "Media") if m["type"]["coding"][0]["code"] == "audio"]
    assert audio["status"] == "completed"
    assert audio["note"][0]["text"] == (
        f"File deleted by retention on {clinic_today(purged_at).isoformat()}."
    )
    # The transcript outlives the audio it came from.
    assert resources(data, "DocumentReference")


def test_it_exports_a_manual_triage_without_ai(nurse: User) -> None:
    visit = make_visit(typed="chest pain")
    NurseReview.objects.create(
        visit=visit, final_record=FINAL_RECORD, final_esi=1, manual=True, reviewed_by=nurse
    )
    data = json.loads(bundle_json(visit.pk))
    assert [o["valueInteger"] for o in esi_observations(data)] == [1]
    assert not [o for o in resources(data, "Observation") if "device" in o]
    assert not resources(data, "Device")
    assert not resources(data, "DocumentReference")
    (encounter,) = resources(data, "Encounter")
    assert encounter["priority"]["coding"][0]["code"] == "S"


def test_it_refuses_an_unreviewed_visit() -> None:
    with pytest.raises(NotReviewed):
        build_bundle(make_visit().pk)
    with pytest.raises(Visit.DoesNotExist):
        build_bundle(999_999)


def test_it_reports_codes_outside_a_required_value_set(exported: Any) -> None:
    visit, _, _ = exported
    bundle = build_bundle(visit.pk)
    (encounter,) = [e.resource for e in bundle.entry or [] if isinstance(e.resource, Encounter)]
    encounter.status = "reviewed"  # ours, not FHIR's
    assert invalid_codes(bundle) == ["Encounter.status=reviewed"]


# --- manage.py export_fhir -----------------------------------------------------------------


def test_the_command_writes_a_file_and_audits(exported: Any, tmp_path: Path) -> None:
    visit, _, data = exported
    target = tmp_path / "out.json"
    err = StringIO()
    call_command("export_fhir", str(visit.pk), "-o", str(target), stdout=StringIO(), stderr=err)
    assert json.loads(target.read_text()) == data
    assert str(target) in err.getvalue()
    event = AuditEvent.objects.get(action="visit.export_fhir")
    assert (event.visit_id, event.actor_id, event.detail["via"]) == (visit.pk, None, "command")


def test_the_command_prints_to_stdout(exported: Any) -> None:
    visit, _, data = exported
    out = StringIO()
    call_command("export_fhir", str(visit.pk), stdout=out)
    assert json.loads(out.getvalue()) == data


def test_the_command_refuses_missing_and_unreviewed_visits(tmp_path: Path) -> None:
    unreviewed = make_visit()
    target = tmp_path / "out.json"
    with pytest.raises(CommandError, match="not been reviewed"):
        call_command("export_fhir", str(unreviewed.pk), "-o", str(target))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_fhir", "999999")
    assert not target.exists()
    assert not AuditEvent.objects.filter(action="visit.export_fhir").exists()


# --- the view ------------------------------------------------------------------------------


def test_the_view_serves_a_nurse(exported: Any, nurse_named: User) -> None:
    visit, _, data = exported
    response = logged_in(nurse_named).get(f"/visits/{visit.pk}/fhir.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == (f'attachment; filename="visit-{visit.pk}-fhir.json"')
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content) == data
    event = AuditEvent.objects.get(action="visit.export_fhir")
    assert (event.visit_id, event.actor_id, event.detail) == (
        visit.pk,
        nurse_named.pk,
        {"via": "web"},
    )


def test_the_view_refuses_front_desk(exported: Any, front_desk: User) -> None:
    visit, _, _ = exported
    assert logged_in(front_desk).get(f"/visits/{visit.pk}/fhir.json").status_code == 403
    assert not AuditEvent.objects.filter(action="visit.export_fhir").exists()


def test_the_view_answers_404_and_409(nurse: User) -> None:
    client = logged_in(nurse)
    assert client.get("/visits/999999/fhir.json").status_code == 404
    response = client.get(f"/visits/{make_visit().pk}/fhir.json")
    assert response.status_code == 409
    assert b"not been reviewed" in response.content
    assert not AuditEvent.objects.filter(action="visit.export_fhir").exists()


def test_the_view_requires_login(exported: Any, client: Client) -> None:
    visit, _, _ = exported
    response = client.get(f"/visits/{visit.pk}/fhir.json")
    assert response.status_code == 302 and "/login/" in response["Location"]
