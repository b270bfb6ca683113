"""Audio chunk ingest (intake.uploads.chunks) on real Postgres and a real encrypted media store:
in order, idempotent, gap-free, bounded, and nothing left behind by a refusal."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.test import RequestFactory
from pytest_django.fixtures import Settings as SettingsWrapper

from intake.mediastore.django import get_store
from intake.models import Recording, RecordingChunk, Visit
from intake.states import VisitStatus
from intake.uploads.chunks import (
    ChunkResult,
    append_chunk,
    complete_recording,
    discard_recording,
)
from intake.uploads.errors import ChunkGap, ChunksMissing, UploadRefused
from tests.factories import consenting_visit

pytestmark = pytest.mark.django_db

EBML = b"\x1a\x45\xdf\xa3"  # WebM/Matroska: what Chrome's MediaRecorder starts chunk 0 with
WEBM = "audio/webm;codecs=opus"


@pytest.fixture
def front_desk(db: None) -> User:
    # No password: hashing one costs half a second per test and these tests never log in.
    return User.objects.create(username="desk-chunks")


@pytest.fixture
def visit(media: Path) -> Visit:
    return consenting_visit("Chunk Test")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pieces(n: int, size: int = 3000) -> list[bytes]:
    """n chunks of a recording: the first starts with the WebM header, the rest are data."""
    return [(EBML if i == 0 else b"") + os.urandom(size) for i in range(n)]


def send(
    visit: Visit,
    seq: int,
    data: bytes,
    *,
    recording: int = 0,
    sha256: str | None = None,
    user: User | None = None,
) -> ChunkResult:
    return append_chunk(
        visit.pk,
        recording,
        seq,
        io.BytesIO(data),
        sha256=sha256 or hashlib.sha256(data).hexdigest(),
        mime_type=WEBM,
        actor=user,
    )


def refusal(call, *args, **kwargs) -> UploadRefused:
    with pytest.raises(UploadRefused) as raised:
        call(*args, **kwargs)
    return raised.value


# --- appending ---------------------------------------------------------------------------------


def test_it_appends_chunks_in_order_into_one_playable_stream(
    visit: Visit, front_desk: User, media: Path
) -> None:
    chunks = pieces(3)
    results = [send(visit, seq, data, user=front_desk) for seq, data in enumerate(chunks)]

    assert [r.received_chunks for r in results] == [1, 2, 3]
    assert [r.duplicate for r in results] == [False] * 3
    assert results[-1].total_bytes == sum(len(c) for c in chunks)
    recording = Recording.objects.get(visit=visit)
    assert {r.recording_id for r in results} == {recording.pk}
    assert (recording.sequence, recording.mime_type) == (0, WEBM)
    assert recording.created_by_id == front_desk.pk
    assert recording.completed_at is None
    rows = list(recording.chunks.order_by("seq"))
    assert [c.seq for c in rows] == [0, 1, 2]
    assert all(c.media_name.startswith("audio/") for c in rows)
    assert len(files_under(media)) == 3
    with get_store().open_concat([c.media_name for c in rows]) as joined:
        assert joined.read() == b"".join(chunks)


def test_it_refuses_audio_for_a_patient_who_did_not_consent(
    visit: Visit, front_desk: User, media: Path
) -> None:
    # The tablet hides the recorder without consent; a stale or tampered one is refused here.
    Visit.objects.filter(pk=visit.pk).update(consent_to_record=False, consent_recorded_at=None)
    refused = refusal(send, visit, 0, pieces(1)[0], user=front_desk)
    assert (refused.code, refused.status) == ("no_consent", 403)
    assert "did not agree to be recorded" in refused.message
    assert not Recording.objects.filter(visit=visit).exists()
    assert files_under(media) == []


def test_it_refuses_to_complete_a_recording_after_consent_was_withdrawn(
    visit: Visit, front_desk: User
) -> None:
    send(visit, 0, pieces(1)[0], user=front_desk)
    Visit.objects.filter(pk=visit.pk).update(consent_to_record=False, consent_recorded_at=None)
    refused = refusal(complete_recording, visit.pk, 0, chunk_count=1, actor=front_desk)
    assert refused.code == "no_consent"
    assert Recording.objects.get(visit=visit).completed_at is None  # never transcribed


def test_it_reads_the_body_straight_from_a_request(visit: Visit, front_desk: User) -> None:
    data = pieces(1, size=200_000)[0]  # several reads of the streaming body
    request = RequestFactory().post("/chunk", data=data, content_type="audio/webm")
    result = append_chunk(
        visit.pk,
        0,
        0,
        request,
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type="audio/webm",
        actor=front_desk,
    )
    assert result.total_bytes == len(data)


def test_it_ignores_a_resent_chunk(visit: Visit, media: Path) -> None:
    chunks = pieces(2)
    send(visit, 0, chunks[0])
    send(visit, 1, chunks[1])
    files = files_under(media)

    again = send(visit, 1, chunks[1])

    assert again.duplicate
    assert (again.seq, again.received_chunks) == (1, 2)
    assert again.total_bytes == len(chunks[0]) + len(chunks[1])
    assert RecordingChunk.objects.count() == 2
    assert files_under(media) == files


def test_it_refuses_a_gap_and_names_the_chunk_it_needs(visit: Visit, media: Path) -> None:
    chunks = pieces(4)
    send(visit, 0, chunks[0])
    send(visit, 1, chunks[1])
    files = files_under(media)

    refused = refusal(send, visit, 3, chunks[3])

    assert isinstance(refused, ChunkGap)
    assert (refused.code, refused.status, refused.expected_seq) == ("chunk_gap", 409, 2)
    assert "#2" in refused.message
    assert RecordingChunk.objects.count() == 2
    assert files_under(media) == files


def test_it_refuses_a_gap_before_any_recording_exists(visit: Visit, media: Path) -> None:
    refused = refusal(send, visit, 1, pieces(2)[1])
    assert isinstance(refused, ChunkGap) and refused.expected_seq == 0
    assert not Recording.objects.exists()
    assert files_under(media) == []


def test_it_refuses_and_deletes_a_chunk_whose_checksum_does_not_match(
    visit: Visit, media: Path
) -> None:
    data = pieces(1)[0]
    refused = refusal(send, visit, 0, data, sha256=hashlib.sha256(b"other").hexdigest())
    assert (refused.code, refused.status) == ("chunk_checksum", 400)
    assert files_under(media) == []
    assert not Recording.objects.exists()


def test_it_refuses_a_different_chunk_under_a_taken_number(visit: Visit, media: Path) -> None:
    send(visit, 0, pieces(1)[0])
    files = files_under(media)
    refused = refusal(send, visit, 0, pieces(1)[0])
    assert (refused.code, refused.status) == ("chunk_conflict", 409)
    assert files_under(media) == files


def test_it_limits_chunks_and_whole_recordings(
    visit: Visit, media: Path, settings: SettingsWrapper
) -> None:
    settings.AUDIO_CHUNK_MAX_BYTES = 64 * 1024
    settings.AUDIO_RECORDING_MAX_BYTES = 100_000
    first = EBML + os.urandom(60_000)
    send(visit, 0, first)
    files = files_under(media)

    too_big_chunk = refusal(send, visit, 0, EBML + os.urandom(64 * 1024), recording=1)
    over_recording = refusal(send, visit, 1, os.urandom(50_000))

    assert (too_big_chunk.code, too_big_chunk.status) == ("chunk_too_large", 413)
    assert (over_recording.code, over_recording.status) == ("recording_too_large", 413)
    assert files_under(media) == files
    assert Recording.objects.count() == 1
    fits = send(visit, 1, os.urandom(100_000 - len(first)))
    assert fits.total_bytes == 100_000
    full = refusal(send, visit, 2, b"x")
    assert full.code == "recording_too_large"


def test_it_limits_all_of_a_visits_audio_together(
    visit: Visit, media: Path, settings: SettingsWrapper
) -> None:
    settings.AUDIO_CHUNK_MAX_BYTES = 64 * 1024
    settings.AUDIO_RECORDING_MAX_BYTES = 100_000
    settings.VISIT_AUDIO_MAX_BYTES = 150_000
    send(visit, 0, EBML + os.urandom(60_000 - len(EBML)), recording=0)
    send(visit, 1, os.urandom(40_000), recording=0)
    # A second recording has room of its own, but the visit only has 50 kB left.
    files = files_under(media)
    over = refusal(send, visit, 0, EBML + os.urandom(60_000), recording=1)
    assert (over.code, over.status) == ("visit_audio_full", 413)
    assert "type the rest" in over.message
    assert files_under(media) == files
    fits = send(visit, 0, EBML + os.urandom(50_000 - len(EBML)), recording=1)
    assert fits.total_bytes == 50_000
    assert refusal(send, visit, 1, b"x", recording=1).code == "visit_audio_full"


def test_recordings_of_a_visit_are_numbered_apart(visit: Visit) -> None:
    send(visit, 0, pieces(1)[0], recording=0)
    send(visit, 0, pieces(1)[0], recording=1)
    assert list(Recording.objects.values_list("sequence", flat=True)) == [0, 1]


def test_a_failed_database_write_leaves_no_file(
    visit: Visit, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_create(**kwargs: object) -> RecordingChunk:
        raise DatabaseError("disk full")

    monkeypatch.setattr(RecordingChunk.objects, "create", broken_create)
    with pytest.raises(DatabaseError):
        send(visit, 0, pieces(1)[0])
    assert files_under(media) == []


# --- completing --------------------------------------------------------------------------------


def test_it_completes_only_when_every_chunk_arrived(
    visit: Visit, front_desk: User, media: Path
) -> None:
    chunks = pieces(4)
    send(visit, 0, chunks[0])
    send(visit, 1, chunks[1])

    missing = refusal(complete_recording, visit.pk, 0, chunk_count=4, actor=front_desk)
    assert isinstance(missing, ChunksMissing)
    assert (missing.code, missing.status) == ("chunks_missing", 409)
    assert missing.missing_seqs == [2, 3] and missing.expected_seq == 2
    assert "#2-#3" in missing.message
    assert Recording.objects.get().completed_at is None

    send(visit, 2, chunks[2])
    send(visit, 3, chunks[3])
    done = complete_recording(visit.pk, 0, chunk_count=4, actor=front_desk)
    assert done.completed_at is not None
    again = complete_recording(visit.pk, 0, chunk_count=4, actor=front_desk)
    assert again.pk == done.pk and again.completed_at == done.completed_at

    fewer = refusal(complete_recording, visit.pk, 0, chunk_count=3, actor=front_desk)
    assert (fewer.code, fewer.status) == ("chunk_count_mismatch", 409)
    # After completion: a lost answer's resend is fine, anything new is refused.
    assert send(visit, 3, chunks[3]).duplicate
    late = refusal(send, visit, 4, pieces(1)[0])
    assert (late.code, late.status) == ("recording_completed", 409)
    assert len(files_under(media)) == 4


def test_it_refuses_to_complete_a_recording_it_never_received(
    visit: Visit, front_desk: User
) -> None:
    missing = refusal(complete_recording, visit.pk, 5, chunk_count=2, actor=front_desk)
    assert isinstance(missing, ChunksMissing) and missing.missing_seqs == [0, 1]
    empty = refusal(complete_recording, visit.pk, 5, chunk_count=0, actor=front_desk)
    assert (empty.code, empty.status) == ("recording_empty", 400)
    assert not Recording.objects.exists()


# --- discarding --------------------------------------------------------------------------------


def test_discarding_refuses_late_chunks(visit: Visit, front_desk: User, media: Path) -> None:
    chunks = pieces(3)
    send(visit, 0, chunks[0])
    send(visit, 1, chunks[1])
    files = files_under(media)

    discard_recording(visit.pk, 0, actor=front_desk)
    discard_recording(visit.pk, 0, actor=front_desk)  # idempotent

    assert Recording.objects.get().discarded
    late = refusal(send, visit, 2, chunks[2])
    assert (late.code, late.status) == ("recording_discarded", 409)
    assert refusal(send, visit, 1, chunks[1]).code == "recording_discarded"
    done = refusal(complete_recording, visit.pk, 0, chunk_count=2, actor=front_desk)
    assert done.code == "recording_discarded"
    assert files_under(media) == files


def test_discarding_an_unseen_recording_refuses_its_chunks_later(
    visit: Visit, front_desk: User, media: Path
) -> None:
    discard_recording(visit.pk, 2, actor=front_desk)

    recording = Recording.objects.get()
    assert (recording.sequence, recording.discarded) == (2, True)
    assert recording.created_by_id == front_desk.pk
    late = refusal(send, visit, 0, pieces(1)[0], recording=2)
    assert late.code == "recording_discarded"
    assert files_under(media) == []


# --- visit states ------------------------------------------------------------------------------


def test_a_reviewed_visit_takes_no_more_audio(visit: Visit, front_desk: User, media: Path) -> None:
    first = pieces(1)[0]
    send(visit, 0, first)
    files = files_under(media)
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.REVIEWED.value)

    for refused in (
        refusal(send, visit, 1, pieces(2)[1]),
        refusal(send, visit, 0, first, recording=1),
        refusal(complete_recording, visit.pk, 0, chunk_count=1, actor=front_desk),
        refusal(discard_recording, visit.pk, 0, actor=front_desk),
    ):
        assert (refused.code, refused.status) == ("visit_locked", 409)
    assert files_under(media) == files
    recording = Recording.objects.get()
    assert recording.completed_at is None and not recording.discarded
    # A resend of what is already stored changes nothing: answered so the tablet can drop it.
    assert send(visit, 0, first).duplicate


def test_repeats_after_review_are_answered_as_before(
    visit: Visit, front_desk: User, media: Path
) -> None:
    send(visit, 0, pieces(1)[0], recording=0)
    complete_recording(visit.pk, 0, chunk_count=1, actor=front_desk)
    discard_recording(visit.pk, 1, actor=front_desk)
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.REVIEWED.value)

    assert complete_recording(visit.pk, 0, chunk_count=1, actor=front_desk).completed_at
    discard_recording(visit.pk, 1, actor=front_desk)
    mismatch = refusal(complete_recording, visit.pk, 0, chunk_count=2, actor=front_desk)
    assert (mismatch.code, mismatch.status) == ("chunk_count_mismatch", 409)


def test_a_failed_visit_still_takes_audio(visit: Visit) -> None:
    Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.FAILED.value)
    assert not send(visit, 0, pieces(1)[0]).duplicate


# --- concurrency -------------------------------------------------------------------------------


class GatedBody(io.BytesIO):
    """A request body whose first read waits until every racing request has read its head:
    all of them have passed the lock-free pre-checks, so they meet at the visit lock."""

    def __init__(self, data: bytes, gate: threading.Barrier) -> None:
        super().__init__(data)
        self.gate = gate
        self.waited = False

    def read(self, size: int | None = -1, /) -> bytes:
        if not self.waited:
            self.waited = True
            self.gate.wait(timeout=30)
        return super().read(size)


@pytest.mark.django_db(transaction=True)
def test_the_same_chunk_sent_twice_at_once_is_stored_once(media: Path) -> None:
    visit = consenting_visit("Race")
    data = pieces(1, size=300_000)[0]
    sha256 = hashlib.sha256(data).hexdigest()
    gate = threading.Barrier(2)
    results: list[ChunkResult] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            body = GatedBody(data, gate)
            results.append(
                append_chunk(visit.pk, 0, 0, body, sha256=sha256, mime_type=WEBM, actor=None)
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(r.duplicate for r in results) == [False, True]
    assert Recording.objects.count() == 1
    assert RecordingChunk.objects.count() == 1
    (stored,) = files_under(media)
    assert RecordingChunk.objects.get().media_name == str(stored.relative_to(media))
