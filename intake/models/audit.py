from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who did what to which patient and visit, when, from where, with what outcome: the
    fields of a FHIR AuditEvent. Append-only and hash-chained (intake.audit.chain); holds ids
    and codes, never patient data."""

    SUCCESS = "success"
    FAILURE = "failure"

    # Gap-free position in the chain; hash = SHA-256 over this event's fields and prev_hash.
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The actor's roles when it happened (comma-separated), not as they are today.
    role = models.CharField(max_length=64, blank=True)
    # Dotted verb: "visit.transition", "media.view", "auth.login", "auth.login_failed", ...
    action = models.CharField(max_length=64)
    outcome = models.CharField(max_length=16, default=SUCCESS)
    # Plain ids, no foreign-key constraints: deleting a visit or patient (retention) must not
    # touch the trail that records it.
    visit = models.ForeignKey(
        "intake.Visit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="audit_events",
    )
    patient_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        indexes = [models.Index(fields=["visit", "at"], name="audit_visit_at")]
        ordering = ["-seq"]
