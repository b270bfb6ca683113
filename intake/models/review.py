from __future__ import annotations

from django.conf import settings
from django.db import models


class NurseReview(models.Model):
    """A nurse's decision: the final record and ESI. The only place a final ESI comes from."""

    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="reviews")
    draft = models.ForeignKey("intake.AIDraft", on_delete=models.SET_NULL, null=True)
    final_record = models.JSONField()
    final_esi = models.PositiveSmallIntegerField()
    # What the nurse changed relative to the draft: [{"path": "...", "from": .., "to": ..}]
    diff = models.JSONField(default=list)
    manual = models.BooleanField(default=False)  # triaged without an AI draft
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(final_esi__gte=1, final_esi__lte=5),
                name="review_final_esi_1_5",
            ),
        ]
