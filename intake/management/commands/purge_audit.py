from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from intake.audit.purge import purge_expired_events


class Command(BaseCommand):
    help = (
        "Remove audit events older than AUDIT_RETENTION_DAYS, recording the cut so the chain "
        "still verifies. Needs the database owner's role (the app's role may not delete)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = purge_expired_events()
        except DatabaseError as e:
            raise CommandError(f"cannot purge (run it as the database owner): {e}") from e
        if result.through_seq is None:
            self.stdout.write(
                f"nothing older than {settings.AUDIT_RETENTION_DAYS} days (or only the head)"
            )
            return
        self.stdout.write(f"removed {result.removed} events, up to event {result.through_seq}")
