"""Everything the export reads, loaded once from the database into one frozen object.

The builders in the sibling modules are pure functions of this object, so the mapping can be
read (and tested) without following queries around.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from pydantic import ValidationError

from inference.triage.schema import TriageRecord
from intake.fhir import ids
from intake.models import (
    AIDraft,
    NurseReview,
    Patient,
    Photo,
    Recording,
    SafetyFiring,
    Transcript,
    Visit,
)


class ExportError(Exception):
    """The visit cannot be exported; the message is safe to show (ids, no patient data)."""


class NotReviewed(ExportError):
    def __init__(self, visit_id: int) -> None:
        super().__init__(
            f"Visit {visit_id} has not been reviewed by a nurse yet: only a reviewed visit "
            "(final ESI confirmed) can be exported."
        )


@dataclass(frozen=True)
class ExportContext:
    visit: Visit
    patient: Patient
    review: NurseReview
    reviewer: AbstractBaseUser
    record: TriageRecord  # the nurse's final record
    draft: AIDraft | None  # the draft the nurse reviewed; None for manual triage
    ai_record: TriageRecord | None
    transcript: Transcript | None
    recordings: tuple[Recording, ...]
    photos: tuple[Photo, ...]
    firings: tuple[SafetyFiring, ...]

    def url(self, kind: str, *more: object) -> str:
        """The fullUrl of one of this visit's own resources."""
        return ids.visit_url(self.visit.pk, kind, *more)

    @property
    def patient_url(self) -> str:
        return ids.patient_url(self.patient.pk)

    @property
    def reviewer_url(self) -> str:
        return ids.practitioner_url(self.reviewer.pk)

    @property
    def encounter_url(self) -> str:
        return self.url("encounter")

    @property
    def transcript_url(self) -> str | None:
        return self.url("transcript", self.transcript.pk) if self.transcript else None


def _record(data: object, what: str, visit_id: int) -> TriageRecord:
    try:
        return TriageRecord.model_validate(data)
    except ValidationError as exc:
        # A stored record always validated when it was saved (schema caps are fixed), so this
        # is a bug or a hand edit; say which record, never its content.
        raise ExportError(
            f"The {what} of visit {visit_id} does not match the triage schema "
            f"({exc.error_count()} errors)."
        ) from None


def load(visit_id: int) -> ExportContext:
    """Raises Visit.DoesNotExist, NotReviewed or ExportError."""
    visit = Visit.objects.select_related("patient").get(pk=visit_id)
    # A visit is reviewed once a nurse confirmed a final ESI; it stays exportable when it
    # moves on (roomed, seen, discharged, left). The latest review wins if there are several.
    review = (
        NurseReview.objects.select_related("reviewed_by", "draft", "draft__transcript")
        .filter(visit=visit)
        .order_by("-reviewed_at", "-pk")
        .first()
    )
    if review is None:
        raise NotReviewed(visit_id)
    draft = review.draft
    transcript = draft.transcript if draft is not None else None
    if transcript is None:
        transcript = visit.transcripts.filter(is_current=True).first()
    return ExportContext(
        visit=visit,
        patient=visit.patient,
        review=review,
        reviewer=review.reviewed_by,
        record=_record(review.final_record, "final record", visit_id),
        draft=draft,
        ai_record=_record(draft.data, "AI draft", visit_id) if draft is not None else None,
        transcript=transcript,
        # Discarded recordings (superseded by a re-record) and photos removed by staff before
        # submit were withdrawn from the visit: they are not part of the record we send.
        recordings=tuple(visit.recordings.filter(discarded=False).order_by("sequence")),
        photos=tuple(visit.photos.filter(deleted_at__isnull=True).order_by("created_at", "pk")),
        firings=tuple(visit.firings.order_by("created_at", "pk")),
    )
