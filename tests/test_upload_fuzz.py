"""Property tests: whatever a tablet (or anything on the LAN with a front-desk login) sends to
the upload endpoints, the answer is a clear 4xx JSON refusal or a success, never a 500."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import PhotoKind, Visit
from tests.conftest import logged_in
from tests.factories import consenting_visit

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# What real files start with, so the fuzzer gets past the first sniff and into the decoders.
MAGIC = [b"", b"\x1a\x45\xdf\xa3", b"OggS", b"RIFF\x00\x00\x00\x00WAVE", b"ID3", b"\xff\xd8\xff"]
MAGIC += [b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"\x00\x00\x00\x20ftypisom"]
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)
bodies = st.builds(lambda m, b: m + b, st.sampled_from(MAGIC), st.binary(max_size=3000))


def answer(response: object) -> dict[str, object]:
    status: int = response.status_code  # type: ignore[attr-defined]
    assert status < 500, status
    body = json.loads(response.content)  # type: ignore[attr-defined]
    assert isinstance(body, dict) and isinstance(body.get("code"), str)
    if status >= 400:
        assert body["ok"] is False and body.get("message")
    return body


@pytest.fixture
def desk_and_visit(front_desk: User, media: Path) -> tuple[Client, Visit]:
    return logged_in(front_desk), consenting_visit("Fuzz Patient")


@FUZZ
@given(
    body=bodies,
    recording=st.integers(0, 200_000),
    seq=st.integers(0, 200_000),
    good_sha=st.booleans(),
    sha=header_text,
    mime=st.one_of(st.sampled_from(["audio/webm;codecs=opus", "audio/wav", ""]), header_text),
)
def test_it_never_fails_on_any_audio_chunk(
    desk_and_visit: tuple[Client, Visit],
    body: bytes,
    recording: int,
    seq: int,
    good_sha: bool,
    sha: str,
    mime: str,
) -> None:
    client, visit = desk_and_visit
    response = client.post(
        reverse("intake_chunk", args=[visit.pk, recording, seq]),
        body,
        content_type="application/octet-stream",
        headers={
            "X-Chunk-Sha256": hashlib.sha256(body).hexdigest() if good_sha else sha,
            "X-Recording-Type": mime,
            "Accept": "application/json",
        },
    )
    answer(response)


@FUZZ
@given(
    content=bodies,
    name=header_text,
    content_type=st.one_of(st.sampled_from(["image/jpeg", "image/png", ""]), header_text),
    kind=st.one_of(st.sampled_from([k.value for k in PhotoKind]), header_text),
)
def test_it_never_fails_on_any_photo(
    desk_and_visit: tuple[Client, Visit], content: bytes, name: str, content_type: str, kind: str
) -> None:
    client, visit = desk_and_visit
    # The test client itself refuses names without a base name ("/"); anything else goes.
    upload = SimpleUploadedFile("p" + name.replace("/", "_"), content, content_type=content_type)
    response = client.post(
        reverse("intake_photo_add", args=[visit.pk]),
        {"photo": upload, "kind": kind},
        headers={"Accept": "application/json"},
    )
    answer(response)
