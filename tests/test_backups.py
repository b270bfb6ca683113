"""Backup and restore: a backup restored into a fresh database and an empty media folder
reads the visit back, its audio and photo included, with the audit chain intact."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql
from pytest_django.fixtures import Settings as SettingsWrapper

from intake import audit
from intake.mediastore import generate_key_file
from intake.mediastore.django import get_store
from tests.conftest import subprocess_env
from tests.factories import add_photo, add_recording, make_visit, silent_wav

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent

READ_BACK = """
import hashlib, json
from intake.audit.chain import verify
from intake.mediastore import generate_key_file
from intake.mediastore.django import get_store
from intake.models import Photo, Visit
visit = Visit.objects.get(patient__name="Backup Patient")
store = get_store()
audio = b"".join(
    store.open(c.media_name).read()
    for c in visit.recordings.get().chunks.order_by("seq")
)
photo = store.open(Photo.objects.get(visit=visit).media_name).read()
print(json.dumps({
    "visit": visit.pk,
    "audio": hashlib.sha256(audio).hexdigest(),
    "photo": hashlib.sha256(photo).hexdigest(),
    "audit_ok": verify().ok,
}))
"""


def maintenance() -> psycopg.Connection[tuple[object, ...]]:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def fresh_database() -> Iterator[str]:
    # Named after this run's test database, so two runs sharing one server never collide.
    fresh = f"{settings.DATABASES['default']['NAME']}_restore"
    with maintenance() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(fresh)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(fresh)))
    db = settings.DATABASES["default"]
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{fresh}"
    with maintenance() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(fresh))
        )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **subprocess_env(), **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_it_restores_a_visit_with_its_audio_and_photo_into_a_fresh_server(
    media: Path, tmp_path: Path, fresh_database: str
) -> None:
    visit = make_visit(name="Backup Patient")
    audio = silent_wav(1.0)
    add_recording(visit, audio, parts=2)
    photo_bytes = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to read back"
    add_photo(visit, photo_bytes)
    audit.record("visit.view", visit=visit)
    dest = tmp_path / "backup"
    call_command("backup", str(dest), stdout=io.StringIO())
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["media"]["files"] == 3
    assert manifest["media"]["key_ids"] == [get_store().keyring.active_key_id]
    # The key is kept apart: nothing in the backup holds it.
    key_line = Path(settings.MEDIA_ENCRYPTION_KEY_FILE).read_text().strip().splitlines()[-1]
    secret = key_line.split(":", 1)[1].encode()
    assert all(secret not in p.read_bytes() for p in dest.iterdir())

    fresh_media = tmp_path / "restored-media"
    env = {
        "DATABASE_URL": fresh_database,
        "MEDIA_ROOT": str(fresh_media),
        "MEDIA_ENCRYPTION_KEY_FILE": str(settings.MEDIA_ENCRYPTION_KEY_FILE),
    }
    restored = manage(env, "restore", str(dest))
    assert restored.returncode == 0, restored.stderr
    read = manage(env, "shell", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr
    back = json.loads(read.stdout.strip().splitlines()[-1])
    assert back == {
        "visit": visit.pk,
        "audio": hashlib.sha256(audio).hexdigest(),
        "photo": hashlib.sha256(photo_bytes).hexdigest(),
        "audit_ok": True,
    }
    # A second restore over data is refused unless forced.
    again = manage(env, "restore", str(dest))
    assert again.returncode != 0 and "not empty" in again.stderr


def test_it_refuses_a_damaged_backup_or_a_key_file_without_its_keys(
    media: Path, tmp_path: Path, settings: SettingsWrapper
) -> None:
    get_store().save(b"audio")
    dest = tmp_path / "backup"
    call_command("backup", str(dest), stdout=io.StringIO())
    other_key = tmp_path / "other.key"
    generate_key_file(other_key)
    settings.MEDIA_ENCRYPTION_KEY_FILE = other_key
    with pytest.raises(CommandError, match="lacks key"):
        call_command("restore", str(dest))
    dump = dest / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(dest))
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(dest))
