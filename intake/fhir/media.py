"""Media (recordings, photos) and the transcript (DocumentReference).

Media never carry bytes: a photo points at the app's own role-checked, audited URL, and a
recording has no URL at all (there is no audio download route). When retention deleted the
file, the Media stays (the capture happened and the record was built from it), with status
"completed", no URL and a note "File deleted by retention on DATE" - no extension needed, and
"entered-in-error" would wrongly say the capture itself was a mistake.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.urls import reverse
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.media import Media

from intake.clinic_time import clinic_today
from intake.fhir.context import ExportContext
from intake.fhir.ids import Entry, build, coding, concept, device_url, note, ref, resource_id
from intake.models import Photo, Recording

MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"


def recording_url(ctx: ExportContext, recording: Recording) -> str:
    return ctx.url("media", "recording", recording.pk)


def photo_url(ctx: ExportContext, photo: Photo) -> str:
    return ctx.url("media", "photo", photo.pk)


def purged_note(purged_at: datetime | None) -> list[dict[str, Any]]:
    if purged_at is None:
        return []
    # The clinic's calendar day for people; the exact instant is the note's time.
    day = clinic_today(purged_at).isoformat()
    return [note(f"File deleted by retention on {day}.", purged_at)]


def _media(ctx: ExportContext, url: str, kind: str, data: dict[str, Any]) -> Entry:
    data = {
        "id": resource_id(url),
        "status": "completed",
        "type": concept(kind.capitalize(), coding(MEDIA_TYPE, kind, kind.capitalize())),
        "subject": ref(ctx.patient_url),
        "encounter": ref(ctx.encounter_url),
        **data,
    }
    return Entry(url, build(Media, data))


def recording_entry(ctx: ExportContext, recording: Recording) -> Entry:
    data: dict[str, Any] = {
        "content": {
            "contentType": recording.playback_mime_type or recording.mime_type,
            "title": f"Intake recording {recording.sequence}",
        },
        "note": purged_note(recording.media_purged_at),
    }
    if recording.completed_at is not None and recording.completed_at >= recording.started_at:
        data["createdPeriod"] = {"start": recording.started_at, "end": recording.completed_at}
    else:
        data["createdDateTime"] = recording.started_at
    if recording.duration_s is not None:
        data["duration"] = round(recording.duration_s, 3)
    return _media(ctx, recording_url(ctx, recording), "audio", data)


def photo_entry(ctx: ExportContext, photo: Photo) -> Entry:
    content: dict[str, Any] = {
        "contentType": photo.content_type,
        "title": f"{photo.get_kind_display()} photo",
        "creation": photo.created_at,
    }
    if photo.media_purged_at is None:
        # Relative to this app; the URL serves the image only to logged-in staff.
        content["url"] = reverse("photo_image", args=[photo.pk])
        content["size"] = photo.size
    data = {
        "content": content,
        "createdDateTime": photo.created_at,
        "width": photo.width,
        "height": photo.height,
        "note": purged_note(photo.media_purged_at),
    }
    return _media(ctx, photo_url(ctx, photo), "image", data)


def transcript_entry(ctx: ExportContext) -> Entry | None:
    transcript, url = ctx.transcript, ctx.transcript_url
    if transcript is None or url is None:
        return None
    description = (
        f"Automatic speech recognition ({transcript.model_id}); not verified word by word."
    )
    if transcript.language_warning:
        description += f" {transcript.language_warning}"
    context: dict[str, Any] = {"encounter": [ref(ctx.encounter_url)]}
    if ctx.recordings:
        context["related"] = [ref(recording_url(ctx, r)) for r in ctx.recordings]
    data = {
        "id": resource_id(url),
        "status": "current",
        "type": concept("Intake audio transcript"),
        "subject": ref(ctx.patient_url),
        "date": transcript.created_at,
        "author": [ref(device_url("asr", transcript.model_id), transcript.model_id)],
        "description": description,
        "content": [
            {
                "attachment": {
                    # The transcript is text we produced; it is the only inline data.
                    "contentType": "text/plain; charset=utf-8",
                    "language": transcript.language or None,  # a code may not be empty
                    "data": base64.b64encode(transcript.text.encode()).decode("ascii"),
                    "title": "Intake transcript",
                    "creation": transcript.created_at,
                }
            }
        ],
        "context": context,
    }
    return Entry(url, build(DocumentReference, data))
