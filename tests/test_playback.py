"""Playback copies (intake.pipeline.playback): decoded without holding the recording's row lock,
recorded under it; a copy someone else recorded meanwhile wins and ours is deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from inference.audio.playback import PlaybackInfo, make_playback_copy
from intake.mediastore.django import get_store
from intake.models import Recording
from intake.pipeline import playback
from tests.factories import add_recording, make_visit, silent_wav

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_the_copy_recorded_first_and_deletes_its_own(media: Path) -> None:
    rec = add_recording(make_visit(), silent_wav(2.0))
    store = get_store()
    theirs = store.save(b"their copy", subdir="playback").name
    ours = store.save(b"our copy", subdir="playback").name
    Recording.objects.filter(pk=rec.pk).update(
        playback_media=theirs, playback_mime_type="audio/ogg"
    )

    assert playback._record(rec.pk, ours, PlaybackInfo("audio/mp4", 2.0)) == (theirs, "audio/ogg")

    assert store.exists(theirs) and not store.exists(ours)  # no unreferenced patient audio


def test_it_decodes_before_taking_the_lock(media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = add_recording(make_visit(), silent_wav(2.0))
    decoding_in_transaction = []

    def watched(*args: object, **kwargs: object) -> PlaybackInfo:
        decoding_in_transaction.append(transaction.get_connection().in_atomic_block)
        return make_playback_copy(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(playback, "make_playback_copy", watched)
    name, mime = playback.ensure_playback_copy(rec.pk)

    assert decoding_in_transaction == [False]  # no row lock held while decoding
    rec.refresh_from_db()
    assert rec.playback_media == name and mime.startswith("audio/")
    assert playback.ensure_playback_copy(rec.pk) == (name, mime)  # made once


def test_it_does_not_play_a_discarded_recording(media: Path) -> None:
    rec = add_recording(make_visit(), silent_wav(1.0))
    Recording.objects.filter(pk=rec.pk).update(discarded=True)
    with pytest.raises(Recording.DoesNotExist):
        playback.ensure_playback_copy(rec.pk)
    assert not list(media.rglob("playback/**/*.cims"))  # nothing decoded or written
