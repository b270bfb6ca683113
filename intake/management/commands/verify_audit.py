from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.audit.chain import head_line, parse_anchor, verify


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain: exit 1 naming each event that was edited, "
        "deleted or reordered. Prints the chain head; keep it off this server and pass it "
        "back later with --anchor to also detect events cut off the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a chain head printed earlier (by this command or the daily log line)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            anchors = [parse_anchor(a) for a in options["anchor"]]
        except ValueError as e:
            raise CommandError(str(e)) from e
        verdict = verify(anchors=anchors)
        if verdict.checked == 0:
            self.stdout.write("the audit trail is empty")
            return
        for problem in verdict.problems:
            self.stderr.write(f"TAMPERED: {problem}")
        if not verdict.ok:
            raise CommandError(
                f"the audit trail was altered ({len(verdict.problems)} problem(s) shown, "
                f"{verdict.checked} events checked)",
                returncode=1,
            )
        self.stdout.write(
            f"audit trail intact: events {verdict.first_seq}..{verdict.head_seq} "
            f"({verdict.checked} checked)"
        )
        self.stdout.write(head_line(verdict))
