from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake import audit
from intake.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and media "
        "folder (both empty unless --force). The media key file must hold the backup's keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", type=Path)
        parser.add_argument("--force", action="store_true", help="replace existing data")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore_backup(options["src"], force=options["force"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        audit.record("backup.restored", detail={"created_at": manifest.data["created_at"]})
        self.stdout.write(
            f"restored the backup of {manifest.data['created_at']} "
            f"({manifest.data['media']['files']} media files); run verify_audit next"
        )
