from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = "Wait until the database accepts connections (container start-up ordering)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = time.monotonic() + options["timeout"]
        while True:
            try:
                connection.ensure_connection()
                self.stdout.write("database is up")
                return
            except OperationalError as e:
                if time.monotonic() > deadline:
                    raise CommandError(
                        f"database not reachable after {options['timeout']} s: {e}"
                    ) from e
                connection.close()
                time.sleep(1)
