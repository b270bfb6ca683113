"""Media key rotation: every file rewritten with the new key (and format), old keys retired
only when no file needs them, readable throughout."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from intake.mediastore import add_key
from intake.mediastore.crypto import FileHeader, load_keyring
from intake.mediastore.django import get_store
from intake.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_media_key", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_it_rewrites_every_file_with_the_new_key_and_retires_the_old(
    media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = get_store()
    old_key = store.keyring.active_key_id
    originals = {store.save(os.urandom(n), subdir="audio").name: n for n in (0, 10, 70_000)}
    # One file from before names were bound (format v1): upgraded on the way.
    make = FileHeader.new.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        FileHeader, "new", classmethod(lambda cls, k, b: make(cls, k, b, version=1))
    )
    legacy = store.save(b"legacy photo", subdir="photos").name
    monkeypatch.undo()
    contents = {name: store.open(name).read() for name in [*originals, legacy]}

    new_key = add_key(settings.MEDIA_ENCRYPTION_KEY_FILE)
    output = run("--retire")

    store = get_store()
    assert store.keyring.active_key_id == new_key
    for name, data in contents.items():
        header = store.header(name)
        assert (header.key_id, header.version) == (new_key, 2), name
        assert store.open(name).read() == data
    assert "4 re-encrypted" in output and f"retired key {old_key}" in output
    assert list(load_keyring(settings.MEDIA_ENCRYPTION_KEY_FILE).keys) == [new_key]
    event = AuditEvent.objects.get(action="media.key_rotated")
    assert event.detail["rewritten"] == 4 and event.detail["key_id"] == new_key
    assert not list(media.rglob("*.part"))
    # Idempotent: nothing left to do.
    assert "0 re-encrypted, 4 already on" in run()


def test_it_keeps_a_key_that_an_unreadable_file_still_names(media: Path) -> None:
    store = get_store()
    old_key = store.keyring.active_key_id
    good = store.save(b"fine").name
    bad = store.save(b"x" * 5000).name
    path = media / bad
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # a damaged block: it cannot be re-encrypted
    path.write_bytes(bytes(data))
    add_key(settings.MEDIA_ENCRYPTION_KEY_FILE)
    output = run("--retire")
    assert "1 re-encrypted" in output and "1 unreadable" in output
    assert f"unreadable (kept as it is): {bad}" in output
    assert f"key {old_key} still needed by 1 files" in output
    assert old_key in load_keyring(settings.MEDIA_ENCRYPTION_KEY_FILE).keys
    assert get_store().open(good).read() == b"fine"


def test_it_can_add_the_new_key_itself(media: Path) -> None:
    name = get_store().save(b"audio").name
    output = run("--new-key")
    active = load_keyring(settings.MEDIA_ENCRYPTION_KEY_FILE).active_key_id
    assert f"new active key {active}" in output
    assert get_store().header(name).key_id == active
    assert "is no longer needed (--retire removes it)" in output
