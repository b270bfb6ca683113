from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake import audit
from intake.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the encrypted media into a new folder, with checksums. "
        "The media key is NOT included: back up its file separately (another medium)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path, help="a new, empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = create_backup(options["dest"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        media = manifest.data["media"]
        audit.record("backup.created", detail={"media_files": media["files"]})
        self.stdout.write(
            f"backup written to {options['dest']}: database, {media['files']} media files; "
            f"needs media key(s) {', '.join(media['key_ids']) or '(none)'} from the key backup"
        )
