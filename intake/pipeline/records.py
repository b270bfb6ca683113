"""What a run stores and reads back: the patient context the models see, transcripts, and the
red-flag net's firings (which only ever raise a visit's urgency)."""

from __future__ import annotations

from datetime import date

from inference.safety import SafetyReport, apply_floor
from inference.transcript import Segment, Transcript, Word
from inference.triage import PatientContext
from intake.models import AIDraft, Recording, SafetyFiring, Visit
from intake.models import Transcript as TranscriptRow
from intake.models import TranscriptSegment as SegmentRow


def patient_context(visit: Visit) -> PatientContext:
    patient = visit.patient
    born: date | None = patient.date_of_birth
    age = (visit.arrived_at.date() - born).days / 365.25 if born is not None else None
    return PatientContext(
        age_years=age if age is not None and 0 <= age < 130 else None,
        sex=patient.sex,  # type: ignore[arg-type]
        preferred_language=patient.preferred_language or "en",
        chief_complaint=visit.chief_complaint_typed.strip() or None,
    )


def save_firings(
    visit_id: int,
    report: SafetyReport,
    *,
    source_transcript: TranscriptRow | None,
    draft: AIDraft | None = None,
) -> bool:
    """Store the net's firings and lower the visit's floor number (= raise urgency) only.
    A firing already stored for the same words (same rule, source, layer, level, quotes and
    transcript/draft) is not stored twice: re-screening the same text adds nothing.
    Returns True when the floor changed (the caller publishes an event if no transition
    does)."""
    for firing in report.firings:
        same_words = {
            "visit_id": visit_id,
            "transcript": source_transcript,
            "draft": draft,
            "source": firing.source,
            "rule_id": firing.rule_id,
            "layer": firing.layer,
            "level": firing.level,
            "evidence": [e.as_json() for e in firing.evidence],
        }
        if SafetyFiring.objects.filter(**same_words).exists():
            continue
        SafetyFiring.objects.create(
            **same_words,
            rule_version=firing.rule_version,
            esi_floor=firing.esi_floor,
            description=firing.description,
            reason=firing.reason[:300],
        )
    if report.esi_floor is None:
        return False
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    floor = apply_floor(visit.esi_rule_floor, report.esi_floor)
    if floor == visit.esi_rule_floor:
        return False
    Visit.objects.filter(pk=visit_id).update(esi_rule_floor=floor)
    return True


def save_transcript(
    visit_id: int, transcript: Transcript, recordings: list[Recording]
) -> TranscriptRow:
    TranscriptRow.objects.filter(visit_id=visit_id, is_current=True).update(is_current=False)
    row = TranscriptRow.objects.create(
        visit_id=visit_id,
        text=transcript.text,
        model_id=transcript.model_id,
        language=transcript.language,
        detected_language=transcript.detected_language or "",
        language_warning=transcript.language_warning,
        notes=list(transcript.notes),
        audio_seconds=transcript.audio_seconds,
        wall_seconds=transcript.wall_seconds,
    )
    SegmentRow.objects.bulk_create(
        SegmentRow(
            transcript=row,
            index=i,
            recording=recordings[s.recording] if s.recording < len(recordings) else None,
            start_s=s.start,
            end_s=max(s.end, s.start),
            text=s.text,
            words=[{"w": w.text, "s": w.start, "e": w.end} for w in s.words] or None,
        )
        for i, s in enumerate(transcript.segments)
    )
    return row


def load_transcript(row: TranscriptRow) -> Transcript:
    """The stored transcript as the dataclass the rules, evidence and prompt read."""
    order = {
        rec_id: i
        for i, rec_id in enumerate(
            Recording.objects.filter(visit_id=row.visit_id)
            .order_by("sequence")
            .values_list("pk", flat=True)
        )
    }
    segments = tuple(
        Segment(
            id=seg.index,
            start=seg.start_s,
            end=seg.end_s,
            text=seg.text,
            recording=order.get(seg.recording_id or -1, 0),
            words=tuple(Word(w["w"], w["s"], w["e"]) for w in seg.words or ()),
        )
        for seg in row.segments.order_by("index")
    )
    return Transcript(
        segments=segments,
        model_id=row.model_id,
        language=row.language,
        detected_language=row.detected_language or None,
        language_warning=row.language_warning,
        notes=tuple(str(n) for n in row.notes),
        audio_seconds=row.audio_seconds,
        wall_seconds=row.wall_seconds,
    )
