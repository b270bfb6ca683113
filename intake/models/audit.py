from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what to which visit, when. Append-only; holds ids and codes, not PHI."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Dotted verb: "visit.transition", "media.view", "auth.login", "auth.login_failed", ...
    action = models.CharField(max_length=64)
    visit = models.ForeignKey(
        "intake.Visit", on_delete=models.SET_NULL, null=True, related_name="audit_events"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(null=True)

    class Meta:
        indexes = [models.Index(fields=["visit", "at"], name="audit_visit_at")]
        ordering = ["-at"]
