"""Recorded audio from the tablet: numbered MediaRecorder chunks appended to a recording.

The tablet's outbox sends chunk 0, 1, 2, ... of recording `recording_seq` of a visit, retrying
each until it gets a 2xx, and may resend a chunk whose answer it never saw. So appending is
idempotent: the same chunk again is a harmless duplicate, a chunk from further ahead is refused
as a gap (the answer says which chunk to send next), and a different chunk under a number that
is already taken is a conflict. Only chunk 0 carries the container header, so only its first
bytes can be checked for being audio at all.

Every refusal leaves nothing behind: no row, no file. The body is streamed into the encrypted
store first (never whole in memory), and the file is deleted again if anything after that
refuses or fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from inference.audio.errors import AudioCorrupt, UnsupportedAudio
from inference.audio.sniff import HEAD_BYTES, sniff_container
from intake.mediastore import MediaTooLarge
from intake.mediastore.django import get_store
from intake.models import Recording, RecordingChunk, Visit
from intake.uploads.common import (
    Readable,
    check_accepting,
    lock_accepting_visit,
    lock_visit,
    require_accepting_visit,
    user_id,
)
from intake.uploads.errors import (
    BadUpload,
    ChunkGap,
    ChunksMissing,
    NoConsent,
    UnsupportedUpload,
    UploadConflict,
    UploadTooLarge,
)

if TYPE_CHECKING:
    from intake.roles import Actor

AUDIO_SUBDIR = "audio"
READ_SIZE = 64 * 1024
# Far beyond any real recording (10 minutes in 5-second chunks is 120), small enough that a
# bogus number cannot reach the database's integer limits.
MAX_SEQ = 100_000
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
# "audio/webm;codecs=opus", "audio/mp4", and "video/webm" (what some browsers report for an
# audio-only MediaRecorder). The type is only stored; the content is checked by sniffing.
_MIME_RE = re.compile(r"(?:audio/[a-z0-9][a-z0-9.+-]*|video/webm)(?:\s*;[\x20-\x7e]*)?")
MAX_MIME_LEN = 100


@dataclass(frozen=True)
class ChunkResult:
    recording_id: int
    seq: int
    duplicate: bool
    received_chunks: int
    total_bytes: int


# --- checks that need nothing but the arguments ------------------------------------------------


def _check_numbers(**numbers: int) -> None:
    for name, value in numbers.items():
        if not 0 <= value <= MAX_SEQ:
            raise BadUpload(
                "bad_chunk_number",
                "The tablet numbered a piece of the recording wrongly; reload the page and "
                "record again.",
                detail=f"{name}={value}",
            )


def _check_sha256(sha256: str) -> str:
    """The SHA-256 the tablet claims for a chunk (X-Chunk-Sha256), as 64 lowercase hex digits;
    BadUpload if it is not one. The only check of the claim: the view passes the header on
    as it came. The body is compared with it once stored."""
    claimed = sha256.strip().lower()
    if not _SHA256_RE.fullmatch(claimed):
        raise BadUpload("bad_checksum", "The tablet sent a piece without a valid checksum; retry.")
    return claimed


def _check_mime(mime_type: str) -> str:
    mime = mime_type.strip()
    if len(mime) > MAX_MIME_LEN or not _MIME_RE.fullmatch(mime.lower()):
        raise UnsupportedUpload(
            "audio_type",
            "The tablet sent the recording in a format the intake does not accept; reload the "
            "page and record again.",
            detail=f"declared type of {len(mime)} chars",
        )
    return mime


# --- the recording's current state -------------------------------------------------------------


@dataclass(frozen=True)
class _Progress:
    recording: Recording | None
    received: int  # chunks 0..received-1 are stored (never a gap: gaps are refused)
    total_bytes: int


def _progress(visit_id: int, recording_seq: int, *, lock: bool) -> _Progress:
    rows = Recording.objects.filter(visit_id=visit_id, sequence=recording_seq)
    recording = (rows.select_for_update() if lock else rows).first()
    if recording is None:
        return _Progress(None, 0, 0)
    agg = RecordingChunk.objects.filter(recording=recording).aggregate(n=Count("id"), b=Sum("size"))
    return _Progress(recording, agg["n"] or 0, agg["b"] or 0)


def _visit_audio_bytes(visit_id: int) -> int:
    total = RecordingChunk.objects.filter(
        recording__visit_id=visit_id, recording__media_purged_at__isnull=True
    ).aggregate(b=Sum("size"))["b"]
    return int(total or 0)


def _visit_too_much_audio() -> UploadTooLarge:
    return UploadTooLarge(
        "visit_audio_full",
        "This visit already holds as much audio as the intake accepts; type the rest of the "
        "complaint, or ask a nurse.",
    )


def _stored_sha256(recording: Recording, seq: int) -> str:
    return RecordingChunk.objects.values_list("sha256", flat=True).get(recording=recording, seq=seq)


def _discarded(recording: Recording) -> UploadConflict:
    return UploadConflict(
        "recording_discarded",
        "This recording was discarded (recorded again), so this piece of it is no longer needed.",
        detail=f"recording {recording.pk} discarded",
    )


def _is_resend(progress: _Progress, seq: int, sha256: str) -> bool:
    recording = progress.recording
    return (
        recording is not None
        and not recording.discarded
        and seq < progress.received
        and _stored_sha256(recording, seq) == sha256
    )


def _placement(progress: _Progress, seq: int, sha256: str) -> bool:
    """Where chunk `seq` goes: True when the identical chunk is already stored (a resend),
    False when it is the next one to store; raises for everything else."""
    recording = progress.recording
    if recording is not None and recording.discarded:
        raise _discarded(recording)
    if seq < progress.received:
        assert recording is not None
        if _stored_sha256(recording, seq) == sha256:
            return True  # also after completion: a resend whose answer was lost
        raise UploadConflict(
            "chunk_conflict",
            f"The tablet sent a different piece #{seq} than the one already received; reload "
            "the page and record again.",
            detail=f"chunk {seq} sha256 differs",
        )
    if recording is not None and recording.completed_at is not None:
        raise UploadConflict(
            "recording_completed",
            "This recording is already finished; start a new recording to add more.",
            detail=f"recording {recording.pk} completed",
        )
    if seq > progress.received:
        raise ChunkGap(expected_seq=progress.received, got_seq=seq)
    return False


def _recording_too_large() -> UploadTooLarge:
    return UploadTooLarge(
        "recording_too_large",
        "The recording is longer than the intake can take; stop it and start a new, shorter "
        "recording for the rest.",
    )


def _duplicate(progress: _Progress, seq: int) -> ChunkResult:
    assert progress.recording is not None
    return ChunkResult(progress.recording.pk, seq, True, progress.received, progress.total_bytes)


# --- reading the body --------------------------------------------------------------------------


def _read_head(body: Readable) -> bytes:
    """The first HEAD_BYTES bytes (fewer only at the end of the body)."""
    head = b""
    while len(head) < HEAD_BYTES:
        part = body.read(HEAD_BYTES - len(head))
        if not part:
            break
        head += part
    return head


def _body_chunks(head: bytes, body: Readable) -> Iterator[bytes]:
    yield head
    while part := body.read(READ_SIZE):
        yield part


def _check_audio_head(head: bytes) -> None:
    """Chunk 0 must start like an audio container (webm, ogg, mp4, wav, ...)."""
    try:
        sniff_container(head)
    except UnsupportedAudio as exc:
        raise UnsupportedUpload(exc.code, exc.user_message, detail=str(exc)) from exc
    except AudioCorrupt as exc:
        raise BadUpload(exc.code, exc.user_message, detail=str(exc)) from exc


# --- append ------------------------------------------------------------------------------------


def append_chunk(
    visit_id: int,
    recording_seq: int,
    seq: int,
    body: Readable,
    *,
    sha256: str,
    mime_type: str,
    actor: Actor,
) -> ChunkResult:
    """Store chunk `seq` of recording `recording_seq` of the visit, streamed from `body`.

    The recording row is created with the first stored chunk. Raises UploadRefused (nothing
    stored) for: a bad checksum, number or type (400/415), a closed visit or recording, a gap
    or a conflicting duplicate (409), a chunk or recording over its size limit (413), an empty
    chunk or a chunk 0 that is not audio (400/415). A resent chunk identical to the stored one
    returns duplicate=True without writing anything.
    """
    _check_numbers(recording_seq=recording_seq, seq=seq)
    claimed = _check_sha256(sha256)
    mime = _check_mime(mime_type)

    # Settle what needs no body first (no lock: re-checked under the lock below), so duplicates,
    # gaps and conflicts cost no upload reading and no disk. A resend of a stored chunk is
    # answered as a duplicate whatever the visit's state: it changes nothing, and the tablet
    # can drop it from its outbox.
    progress = _progress(visit_id, recording_seq, lock=False)
    if _is_resend(progress, seq, claimed):
        return _duplicate(progress, seq)
    require_accepting_visit(visit_id)
    require_consent(visit_id)
    if _placement(progress, seq, claimed):
        return _duplicate(progress, seq)
    chunk_limit = settings.AUDIO_CHUNK_MAX_BYTES
    room = settings.AUDIO_RECORDING_MAX_BYTES - progress.total_bytes
    if room <= 0:
        raise _recording_too_large()
    visit_room = settings.VISIT_AUDIO_MAX_BYTES - _visit_audio_bytes(visit_id)
    if visit_room <= 0:
        raise _visit_too_much_audio()

    head = _read_head(body)
    if not head:
        raise BadUpload("chunk_empty", "A piece of the recording arrived empty; it will retry.")
    if seq == 0:
        _check_audio_head(head)
    store = get_store()
    try:
        stored = store.save(
            _body_chunks(head, body),
            max_bytes=min(chunk_limit, room, visit_room),
            subdir=AUDIO_SUBDIR,
        )
    except MediaTooLarge:
        if visit_room < min(chunk_limit, room):
            raise _visit_too_much_audio() from None
        if room < chunk_limit:
            raise _recording_too_large() from None
        raise UploadTooLarge(
            "chunk_too_large",
            "A piece of the recording is larger than the intake accepts; reload the page and "
            "record again.",
            detail=f"chunk over {chunk_limit} bytes",
        ) from None

    try:
        if stored.sha256 != claimed:
            raise BadUpload(
                "chunk_checksum",
                "A piece of the recording arrived damaged; the tablet will send it again.",
                detail="sha256 mismatch",
            )
        with transaction.atomic():
            result = _insert(
                visit_id, recording_seq, seq, claimed, mime, stored.name, stored.size, actor
            )
    except BaseException:
        store.delete(stored.name)
        raise
    if result.duplicate:
        # Another request stored the same chunk while this one was streaming.
        store.delete(stored.name)
    return result


def _insert(
    visit_id: int,
    recording_seq: int,
    seq: int,
    sha256: str,
    mime: str,
    media_name: str,
    size: int,
    actor: Actor,
) -> ChunkResult:
    """Under the visit lock: re-check everything and add the chunk row (and the recording row
    for the first chunk)."""
    lock_accepting_visit(visit_id)
    progress = _progress(visit_id, recording_seq, lock=True)
    if _placement(progress, seq, sha256):
        return _duplicate(progress, seq)
    if progress.total_bytes + size > settings.AUDIO_RECORDING_MAX_BYTES:
        raise _recording_too_large()
    if _visit_audio_bytes(visit_id) + size > settings.VISIT_AUDIO_MAX_BYTES:
        raise _visit_too_much_audio()
    recording = progress.recording
    if recording is None:
        # The visit lock serializes this with every other upload of the visit, so there is no
        # concurrent create to lose against (the unique constraint stays the backstop).
        recording = Recording.objects.create(
            visit_id=visit_id,
            sequence=recording_seq,
            mime_type=mime,
            created_by_id=user_id(actor),
        )
    RecordingChunk.objects.create(
        recording=recording, seq=seq, media_name=media_name, size=size, sha256=sha256
    )
    return ChunkResult(recording.pk, seq, False, progress.received + 1, progress.total_bytes + size)


def _count_mismatch(stored: int, claimed: int) -> UploadConflict:
    return UploadConflict(
        "chunk_count_mismatch",
        f"The server holds {stored} pieces of this recording but the tablet says it sent "
        f"{claimed}; reload the page and record again.",
        detail=f"stored {stored}, claimed {claimed}",
    )


# --- complete and discard ----------------------------------------------------------------------


def require_consent(visit_id: int) -> None:
    """Audio only with the patient's recorded consent: the browser hides the recorder without
    it, and the server refuses what a stale or tampered tablet sends anyway (nothing stored, so
    nothing is ever transcribed)."""
    if not Visit.objects.filter(pk=visit_id, consent_to_record=True).exists():
        raise NoConsent(visit_id)


def complete_recording(
    visit_id: int, recording_seq: int, *, chunk_count: int, actor: Actor
) -> Recording:
    """The tablet sent `chunk_count` chunks and stopped: mark the recording complete.

    Refused (409) while chunks are missing (the message and `missing_seqs` say which), when the
    server holds more chunks than the tablet says it sent, and for a discarded recording.
    Completing again with the same count returns the recording unchanged.
    """
    _check_numbers(recording_seq=recording_seq)
    if chunk_count < 1:
        raise BadUpload(
            "recording_empty",
            "The tablet finished a recording without any sound in it; record again.",
            detail=f"chunk_count={chunk_count}",
        )
    _check_numbers(chunk_count=chunk_count)
    with transaction.atomic():
        status = lock_visit(visit_id)
        progress = _progress(visit_id, recording_seq, lock=True)
        recording = progress.recording
        if recording is not None and recording.discarded:
            raise _discarded(recording)
        if recording is not None and recording.completed_at is not None:
            if progress.received != chunk_count:
                raise _count_mismatch(progress.received, chunk_count)
            return recording  # completed before: the tablet did not see the answer
        check_accepting(visit_id, status)
        require_consent(visit_id)
        if progress.received < chunk_count:
            raise ChunksMissing(list(range(progress.received, chunk_count)), chunk_count)
        assert recording is not None  # received >= chunk_count >= 1
        if progress.received > chunk_count:
            raise _count_mismatch(progress.received, chunk_count)
        recording.completed_at = timezone.now()
        recording.save(update_fields=["completed_at"])
    return recording


def discard_recording(visit_id: int, recording_seq: int, *, actor: Actor) -> None:
    """The clerk records again: the recording no longer counts (kept for the audit trail; the
    retention purge deletes its audio). Idempotent.

    A recording the server has not seen yet (its chunks still in the tablet's outbox) is created
    already discarded, so its late chunks are refused instead of starting a live recording.
    """
    _check_numbers(recording_seq=recording_seq)
    with transaction.atomic():
        status = lock_visit(visit_id)
        recording = (
            Recording.objects.select_for_update()
            .filter(visit_id=visit_id, sequence=recording_seq)
            .first()
        )
        if recording is not None and recording.discarded:
            return  # discarded before: the tablet did not see the answer
        check_accepting(visit_id, status)
        if recording is None:
            Recording.objects.create(
                visit_id=visit_id,
                sequence=recording_seq,
                mime_type="",
                discarded=True,
                created_by_id=user_id(actor),
            )
        else:
            Recording.objects.filter(pk=recording.pk).update(discarded=True)
