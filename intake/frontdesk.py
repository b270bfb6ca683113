"""What the front desk does to a visit, apart from uploads (intake.uploads) and submit
(intake.pipeline.submit): start it, flag it urgent, type the complaint, remove a photo.

Each function takes ids and the acting user, writes the audit trail and publishes a queue event
after commit, so a nurse's screen follows without a reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from intake import audit, events
from intake.clinic_time import clinic_today, day_bounds
from intake.lifecycle import set_once
from intake.mediastore.django import get_store
from intake.models import Patient, Photo, Visit
from intake.states import EDITABLE, FINAL
from intake.uploads.common import lock_accepting_visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from intake.roles import Actor


@dataclass(frozen=True)
class EarlierVisit:
    visit_id: int
    arrived_at: datetime
    status: str


def start_intake(
    actor: User,
    *,
    name: str,
    date_of_birth: date | None,
    sex: str,
    mrn: str,
    phone: str,
    preferred_language: str,
    consent: bool,
    urgent: bool = False,
) -> Visit:
    now = timezone.now()
    with transaction.atomic():
        patient = Patient.objects.create(
            name=name,
            date_of_birth=date_of_birth,
            sex=sex or "unknown",
            mrn=mrn,
            phone=phone,
            preferred_language=preferred_language or "en",
        )
        visit = Visit.objects.create(
            patient=patient,
            arrived_at=now,
            created_by=actor,
            consent_to_record=consent,
            consent_recorded_by=actor if consent else None,
            consent_recorded_at=now if consent else None,
            urgent=urgent,
            urgent_at=now if urgent else None,
            urgent_by=actor if urgent else None,
        )
        audit.record(
            "visit.start", actor=actor, visit=visit, detail={"consent": consent, "urgent": urgent}
        )
        events.publish_on_commit(events.visit_event(visit.pk, visit.status, visit.version))
    return visit


def earlier_visits_today(visit: Visit) -> list[EarlierVisit]:
    """Other visits today for the same name and date of birth: maybe a duplicate intake."""
    patient = visit.patient
    if patient.date_of_birth is None:
        return []
    start, end = day_bounds(clinic_today())
    rows = (
        Visit.objects.filter(
            patient__name__iexact=patient.name,
            patient__date_of_birth=patient.date_of_birth,
            arrived_at__gte=start,
            arrived_at__lt=end,
        )
        .exclude(pk=visit.pk)
        .order_by("arrived_at")
        .values_list("pk", "arrived_at", "status")
    )
    return [EarlierVisit(pk, at, status) for pk, at, status in rows]


def desk_visits() -> QuerySet[Visit]:
    """The visits a tablet may open: those the front desk may still edit (not yet reviewed by
    a nurse, not ended), started within FRONT_DESK_VISIBLE_HOURS. Once a nurse has reviewed a
    visit its demographics and photos are no longer the desk's to read."""
    since = timezone.now() - timedelta(hours=settings.FRONT_DESK_VISIBLE_HOURS)
    return Visit.objects.select_related("patient").filter(
        arrived_at__gte=since, status__in=[s.value for s in EDITABLE]
    )


def front_desk_visit(visit_id: int) -> Visit:
    return desk_visits().get(pk=visit_id)


def mark_urgent(visit_id: int, actor: Actor) -> bool:
    """ "Needs a nurse now": top of the queue at once. Returns False when it already was.
    Allowed in every open state, the AI's progress does not matter."""
    return set_once(
        visit_id,
        Q(urgent=False) & ~Q(status__in=[s.value for s in FINAL]),
        {"urgent": True, "urgent_at": timezone.now(), "urgent_by": actor},
        action="visit.urgent",
        actor=actor,
    )


def set_typed_complaint(visit_id: int, actor: Actor, text: str) -> bool:
    """Save the typed complaint; True when it changed. A change bumps the visit's version and
    tells the queue, like new media (the caller then re-runs processing)."""
    with transaction.atomic():
        lock_accepting_visit(visit_id)  # raises UploadRefused once a nurse has reviewed it
        changed = Visit.objects.filter(pk=visit_id).exclude(chief_complaint_typed=text)
        if not changed.update(chief_complaint_typed=text, version=F("version") + 1):
            return False
        visit = Visit.objects.get(pk=visit_id)
        audit.record("visit.complaint_typed", actor=actor, visit=visit)
        events.publish_on_commit(events.visit_event(visit.pk, visit.status, visit.version))
    return True


def delete_photo(visit_id: int, photo_id: int, actor: Actor) -> None:
    """Staff remove a photo before review: the file goes at once, the row stays for the audit
    trail."""
    with transaction.atomic():
        lock_accepting_visit(visit_id)
        photo = Photo.objects.select_for_update().get(
            pk=photo_id, visit_id=visit_id, deleted_at__isnull=True
        )
        Photo.objects.filter(pk=photo.pk).update(deleted_at=timezone.now())
        audit.record("photo.delete", actor=actor, visit=visit_id, obj=photo)
        name = photo.media_name
        transaction.on_commit(lambda: get_store().delete(name))
