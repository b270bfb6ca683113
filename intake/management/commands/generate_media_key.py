from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.mediastore import add_key, generate_key_file


class Command(BaseCommand):
    help = (
        "Create the media encryption key file (AES-256, one `id:base64` line per key), or with "
        "--rotate append a new active key (old keys stay to read old files). Back it up apart "
        "from the media: encrypted media is unreadable without it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="default: MEDIA_ENCRYPTION_KEY_FILE")
        parser.add_argument("--if-missing", action="store_true", help="do nothing if it exists")
        parser.add_argument("--rotate", action="store_true", help="append a new active key")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or settings.MEDIA_ENCRYPTION_KEY_FILE
        if options["rotate"]:
            add_key(path)
            self.stdout.write(self.style.SUCCESS(f"added a new active key to {path}"))
            return
        if path.exists():
            if options["if_missing"]:
                self.stdout.write(f"media key file {path} exists")
                return
            raise CommandError(f"{path} exists; use --rotate to add a key (never overwrite one).")
        path.parent.mkdir(parents=True, exist_ok=True)
        generate_key_file(path)
        self.stdout.write(self.style.SUCCESS(f"created media key file {path} (mode 0600)"))
