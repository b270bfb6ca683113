from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from intake import audit
from intake.mediastore import add_key
from intake.mediastore.crypto import load_keyring, retire_key
from intake.mediastore.django import get_store
from intake.mediastore.rotation import keys_in_use, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored recording and photo with the active media key (the last line "
        "of the key file), showing progress; then, with --retire, remove keys no file uses. "
        "Safe to stop and run again, and to run while the clinic works."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="first append a new active key to the key file (it must be writable here)",
        )
        parser.add_argument(
            "--retire", action="store_true", help="afterwards remove keys that no file uses"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key_file = settings.MEDIA_ENCRYPTION_KEY_FILE
        if options["new_key"]:
            self.stdout.write(f"new active key {add_key(key_file)}")
        store = get_store()
        active = store.keyring.active_key_id
        self.stdout.write(f"re-encrypting with key {active}")
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] >= 2:
                last[0] = now
                self.stdout.write(f"  {done}/{total} files ({100 * done // max(total, 1)}%)")

        result = rotate(store, progress)
        audit.record(
            "media.key_rotated",
            detail={
                "key_id": active,
                "rewritten": result.rewritten,
                "already": result.current,
                "unreadable": len(result.unreadable),
            },
        )
        self.stdout.write(
            f"{result.rewritten} re-encrypted, {result.current} already on {active}, "
            f"{len(result.unreadable)} unreadable"
        )
        for name in result.unreadable:
            self.stderr.write(f"  unreadable (kept as it is): {name}")
        used = keys_in_use(store)
        for key_id in load_keyring(key_file).keys:
            if key_id == active:
                continue
            if used[key_id]:
                self.stdout.write(f"key {key_id} still needed by {used[key_id]} files")
            elif options["retire"]:
                try:
                    retire_key(key_file, key_id)
                    self.stdout.write(f"retired key {key_id}")
                    audit.record("media.key_retired", detail={"key_id": key_id})
                except OSError:
                    # A Docker secret is mounted read-only: IT edits the file on the host.
                    self.stdout.write(
                        f"key {key_id} is no longer needed: delete its line from {key_file} "
                        "on the host and restart the app containers"
                    )
            else:
                self.stdout.write(f"key {key_id} is no longer needed (--retire removes it)")
