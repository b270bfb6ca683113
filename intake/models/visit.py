from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from intake.states import OPEN, VisitStatus

ESI_CHOICES = [(i, f"ESI {i}") for i in range(1, 6)]


def _esi_check(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
        name=f"visit_{field}_1_5",
    )


class Visit(models.Model):
    """One patient encounter, from the front desk's first tap to discharge."""

    patient = models.ForeignKey("intake.Patient", on_delete=models.PROTECT, related_name="visits")
    arrived_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    status = models.CharField(
        max_length=32,
        choices=[(s.value, s.label) for s in VisitStatus],
        default=VisitStatus.DRAFT.value,
    )
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # Row version for optimistic locking: every write that a person could race with (two
    # nurses reviewing, a worker finishing) bumps it with a conditional update.
    version = models.PositiveIntegerField(default=1)

    consent_to_record = models.BooleanField(default=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    consent_recorded_at = models.DateTimeField(null=True)
    # Typed by staff when there is no recording (no consent, no microphone).
    chief_complaint_typed = models.TextField(blank=True)
    # When retention removed the visit's working text (transcripts, AI drafts, the typed
    # complaint, quoted evidence); the nurse's review and what fired stay.
    text_purged_at = models.DateTimeField(null=True)

    # "Needs a nurse now": top of the queue at once, whatever the AI says.
    urgent = models.BooleanField(default=False)
    urgent_at = models.DateTimeField(null=True)
    urgent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    # Denormalised for the queue's sort (each also lives with its source record): the
    # deterministic rules' floor, the model's suggestion, and the nurse's decision. Kept apart
    # so the software's guess can never look like a nurse's decision.
    esi_rule_floor = models.PositiveSmallIntegerField(choices=ESI_CHOICES, null=True)
    esi_suggested = models.PositiveSmallIntegerField(choices=ESI_CHOICES, null=True)
    esi_final = models.PositiveSmallIntegerField(choices=ESI_CHOICES, null=True)

    # A new urgent or red-flag visit alerts every nurse's queue until one of them acknowledges.
    alert_ack_at = models.DateTimeField(null=True)
    alert_ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    # New audio or photos arrived while the pipeline was already working on older ones: the
    # step to run again once the current run ends ("asr" covers both; "llm" = photos only).
    reprocess = models.CharField(max_length=8, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The nurse queue reads only open visits; keep that index small.
            models.Index(
                fields=["-urgent", "arrived_at"],
                name="visit_open_queue",
                condition=models.Q(status__in=sorted(s.value for s in OPEN)),
            ),
            models.Index(fields=["arrived_at"], name="visit_arrived"),
            models.Index(fields=["status", "status_changed_at"], name="visit_status_changed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in VisitStatus]),
                name="visit_status_valid",
            ),
            _esi_check("esi_rule_floor"),
            _esi_check("esi_suggested"),
            _esi_check("esi_final"),
            models.CheckConstraint(
                condition=models.Q(consent_to_record=False)
                | models.Q(consent_recorded_at__isnull=False),
                name="visit_consent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit #{self.pk} ({self.status})"

    @property
    def state(self) -> VisitStatus:
        return VisitStatus(self.status)
