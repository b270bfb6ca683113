"""`manage.py intake_file AUDIO [AUDIO ...]`: the whole intake pipeline on local files.

Runs `inference.pipeline.run_intake` with the models named in the settings (the workers run the
same pieces in two tasks; see inference.pipeline for the one difference), and prints the
transcript, the safety findings and the AI draft (or `--json`). Never touches the database:
it works on a laptop with no Postgres, and on real recordings nothing is stored. Each AUDIO file
is one recording (in visit order).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.asr import AsrError
from inference.llm_engine import LlmError
from inference.pipeline import Engines, IntakeResult, run_intake
from inference.triage import PatientContext, PhotoInput
from intake.pipeline.engines import intake_config


def _existing(paths: list[str], what: str) -> list[Path]:
    out = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{what} file not found: {path}")
        out.append(path)
    return out


class Command(BaseCommand):
    help = "Run transcription, safety rules and the triage draft on local files (no database)."
    # System checks are not needed and some touch the database configuration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("audio", nargs="*", help="recordings, in order (webm, ogg, m4a, wav)")
        parser.add_argument("--photo", action="append", default=[], help="a photo (repeatable)")
        parser.add_argument("--language", default="en", help="patient's language (BCP 47)")
        parser.add_argument("--age", type=float, help="age in years (0.1 = about 5 weeks)")
        parser.add_argument(
            "--sex", choices=["female", "male", "other", "unknown"], default="unknown"
        )
        parser.add_argument("--complaint", help="typed chief complaint (used without audio)")
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        parser.add_argument("--max-tokens", type=int, help="cap on generated tokens")

    def handle(self, *args: Any, **options: Any) -> None:
        audio = _existing(options["audio"], "audio")
        photo_paths = _existing(options["photo"], "photo")
        if not audio and not options["complaint"]:
            raise CommandError("give at least one AUDIO file or --complaint TEXT")
        if options["max_tokens"] is not None and options["max_tokens"] < 16:
            raise CommandError("--max-tokens must be at least 16")
        try:
            patient = PatientContext(
                age_years=options["age"],
                sex=options["sex"],
                preferred_language=options["language"],
                chief_complaint=options["complaint"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        photos = [PhotoInput(p.read_bytes(), p.name) for p in photo_paths]
        config = intake_config(
            name="intake_file", with_asr=bool(audio), max_tokens=options["max_tokens"]
        )
        try:
            engines = Engines.load(config)
        except (LlmError, AsrError) as exc:
            raise CommandError(f"cannot load the models: {exc}") from exc
        result = run_intake(audio, photos, patient, config, engines=engines)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        else:
            self._print(result)
        if result.transcript is None:
            raise CommandError("; ".join(e.user_message for e in result.errors) or "no input")

    def _print(self, result: IntakeResult) -> None:
        w = self.stdout.write
        t = result.transcript
        if t is not None:
            w(f"Transcript ({result.source}, {t.model_id}, {t.audio_seconds:.1f} s of audio):")
            for s in t.segments:
                w(f"  #{s.id} [{s.start:6.2f}-{s.end:6.2f}] {s.text.strip()}")
            for note in (*([t.language_warning] if t.language_warning else []), *result.notes):
                w(f"  note: {note}")
        safety = result.safety
        w(f"\nRed flags: ESI floor {safety.esi_floor or '-'}")
        for f in safety.firings:
            w(f"  {f.description}")
            w(
                f"    {f.level}, {f.layer} layer, floor {f.esi_floor} ({f.source}; "
                f"{f.rule_id} v{f.rule_version}): {f.reason}"
            )
            for e in f.evidence:
                where = f"segment {e.segment_id}, {e.t0:.2f}-{e.t1:.2f} s" if e.spans else "?"
                w(f'    "{e.matched_text or e.quote}" ({where})')
        if result.draft is not None:
            d = result.draft
            w(f"\nAI draft ({d.model_id}, prompt {d.prompt_version}, schema {d.schema_version}):")
            w(
                f"  ESI: model {result.esi_model}, rule floor {result.esi_floor or '-'}, "
                f"suggested {result.esi_suggested}"
            )
            for line in json.dumps(d.data(), indent=2, ensure_ascii=False).splitlines():
                w(f"  {line}")
            for item in result.evidence:
                state = "found" if item.evidence.supported else "NOT FOUND in transcript"
                w(f"  evidence {item.path}: {state}")
            for note in d.notes:
                w(f"  note: {note}")
        if result.failure is not None:
            w(f"\nNo AI draft ({result.failure.code}): {result.failure.user_message}")
        for error in result.errors:
            if error.stage != "llm":
                sys.stderr.write(f"{error.stage}: {error.user_message}\n")
        timings = ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
        w(f"\nTimings (s): {timings}")
