"""Backups IT can restore: the database (pg_dump, custom format) and the encrypted media
tree, with a manifest of checksums. The media key is never part of a backup: it is kept apart
(another medium), and the manifest lists which key ids the media needs, so a restore says at
once when the key file it is given cannot read them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from inference.files import sha256_file
from intake.mediastore.crypto import load_keyring
from intake.mediastore.django import get_store
from intake.mediastore.rotation import keys_in_use

FORMAT = 1
DUMP, MEDIA, MANIFEST = "database.dump", "media.tar", "manifest.json"


class BackupError(Exception):
    """What went wrong, in words IT can act on."""


@dataclass(frozen=True)
class Manifest:
    data: dict[str, Any]

    @property
    def key_ids(self) -> list[str]:
        return list(self.data["media"]["key_ids"])


def _pg_env() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        f"--host={db.get('HOST') or '127.0.0.1'}",
        f"--port={db.get('PORT') or 5432}",
        f"--username={db.get('USER') or 'postgres'}",
        f"--dbname={db['NAME']}",
    ]
    return env, args


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(argv[0])
    if tool is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run([tool, *argv[1:]], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def create_backup(dest: Path) -> Manifest:
    """Write database.dump, media.tar and manifest.json into `dest` (a new or empty folder)."""
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: give each backup its own folder")
    env, args = _pg_env()
    _run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dest / DUMP}", *args], env, "pg_dump"
    )
    store = get_store()
    files = 0
    with tarfile.open(dest / MEDIA, "w") as tar:
        for name, path, _mtime in store.walk():
            if path.name.startswith(".tmp-"):
                continue  # a write in progress or a crash's leftover, never media
            tar.add(path, arcname=name, recursive=False)
            files += 1
    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="intake").order_by("-id").first()
    data = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "migration": last.name if last else None,
        "database": {"file": DUMP, "sha256": sha256_file(dest / DUMP)},
        "media": {
            "file": MEDIA,
            "sha256": sha256_file(dest / MEDIA),
            "files": files,
            # Which keys read this media; the key file itself is backed up separately.
            "key_ids": sorted(keys_in_use(store)),
        },
    }
    (dest / MANIFEST).write_text(json.dumps(data, indent=2) + "\n")
    return Manifest(data)


def read_manifest(src: Path) -> Manifest:
    try:
        data = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise BackupError(f"{src} holds no readable {MANIFEST}: {e}") from e
    if data.get("format") != FORMAT:
        raise BackupError(f"{src}: unknown backup format {data.get('format')!r}")
    for part in ("database", "media"):
        path = src / data[part]["file"]
        if not path.is_file() or sha256_file(path) != data[part]["sha256"]:
            raise BackupError(f"{path} is missing or damaged (checksum differs from the manifest)")
    return Manifest(data)


def restore_backup(src: Path, *, force: bool = False) -> Manifest:
    """Restore into the configured database and MEDIA_ROOT. Everything is checked first
    (checksums, the key file has every key the media needs, the targets are empty unless
    `force`), so a restore that cannot succeed changes nothing."""
    manifest = read_manifest(src)
    keyring = load_keyring(Path(settings.MEDIA_ENCRYPTION_KEY_FILE))
    missing = [k for k in manifest.key_ids if k not in keyring.keys]
    if missing:
        raise BackupError(
            f"the media key file {settings.MEDIA_ENCRYPTION_KEY_FILE} lacks key(s) "
            f"{', '.join(missing)}: restore it from its separate backup first"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()) and not force:
        raise BackupError(f"{media_root} is not empty (--force restores over it)")
    tables = connection.introspection.table_names()
    if "intake_visit" in tables and not force:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM intake_visit)")
            if cursor.fetchone()[0]:
                raise BackupError("the database already holds visits (--force replaces them)")
    connection.close()  # pg_restore drops and recreates tables this connection may hold
    env, args = _pg_env()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            *args,
            str(src / DUMP),
        ],
        env,
        "pg_restore",
    )
    media_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(src / MEDIA) as tar:
        tar.extractall(media_root, filter="data")  # no absolute paths, links or devices
    return manifest
