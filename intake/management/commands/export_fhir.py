"""`manage.py export_fhir VISIT [-o FILE]`: the FHIR R4B Bundle of a reviewed visit.

Prints the JSON, or writes it to FILE. Every export is audited ("visit.export_fhir"), with no
user (the command runs as whoever has shell access to the server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake import audit
from intake.fhir import ExportError, bundle_json
from intake.models import Visit


class Command(BaseCommand):
    help = "Export a reviewed visit as a FHIR R4B Bundle (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("visit", type=int, help="visit id")
        parser.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        visit_id: int = options["visit"]
        try:
            body = bundle_json(visit_id)
        except Visit.DoesNotExist:
            raise CommandError(f"Visit {visit_id} does not exist.") from None
        except ExportError as exc:  # NotReviewed included
            raise CommandError(str(exc)) from None
        output: str | None = options["output"]
        audit.record(
            "visit.export_fhir",
            visit=visit_id,
            detail={"via": "command", "to": "file" if output else "stdout"},
        )
        if output is None:
            self.stdout.write(body)
            return
        Path(output).write_text(body + "\n", encoding="utf-8")
        # stderr: stdout stays clean for pipes even when -o is given.
        self.stderr.write(f"Wrote the FHIR Bundle of visit {visit_id} to {output}.")
