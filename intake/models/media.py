from __future__ import annotations

from django.conf import settings
from django.db import models


class Recording(models.Model):
    """One MediaRecorder session. Its chunks only decode when joined in order (only the first
    carries the container header); a visit may have several (re-record, pause/resume)."""

    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="recordings")
    # Order of recordings within the visit.
    sequence = models.PositiveIntegerField()
    mime_type = models.CharField(max_length=100)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True)
    # Set at submit once decoded.
    duration_s = models.FloatField(null=True)
    # Seekable copy for playback (MediaRecorder webm has no cues); a media-store name.
    playback_media = models.CharField(max_length=200, blank=True)
    playback_mime_type = models.CharField(max_length=100, blank=True)
    discarded = models.BooleanField(default=False)  # superseded by a re-record
    media_purged_at = models.DateTimeField(null=True)  # retention deleted the audio
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "sequence"], name="recording_seq_unique"),
        ]
        ordering = ["visit", "sequence"]


class RecordingChunk(models.Model):
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    media_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Duplicates are ignored and gaps refused by the upload view; this is the backstop.
            models.UniqueConstraint(fields=["recording", "seq"], name="chunk_seq_unique"),
        ]
        ordering = ["recording", "seq"]


class PhotoKind(models.TextChoices):
    WOUND = "wound", "Wound"
    RASH = "rash", "Rash"
    MEDICATION = "medication", "Medication"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class Photo(models.Model):
    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=16, choices=PhotoKind.choices, default=PhotoKind.OTHER)
    # Re-encoded, metadata-stripped image in the encrypted media store.
    media_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True)  # removed by staff before submit
    media_purged_at = models.DateTimeField(null=True)  # retention deleted the file

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[c.value for c in PhotoKind]), name="photo_kind_valid"
            ),
        ]
        ordering = ["visit", "created_at"]
