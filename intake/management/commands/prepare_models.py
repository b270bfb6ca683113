"""`manage.py prepare_models`: assemble/convert the bundled models into settings.MODELS_DIR.

All the work lives in inference.bundled (plain Python, also usable without Django as
`python -m inference.bundled DEST`); this command only supplies the Django setting.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.bundled import BundledModelError, prepare_bundled_models
from inference.safety.net import RedFlagNet


class Command(BaseCommand):
    help = "Assemble the bundled Gemma GGUF and convert Whisper tiny.en to ggml (offline)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--verify",
            action="store_true",
            help="re-hash every model file instead of trusting the (size, mtime) cache",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dest = Path(getattr(settings, "MODELS_DIR", Path("models")))
        try:
            models = prepare_bundled_models(dest, verify=bool(options["verify"]))
        except BundledModelError as exc:
            raise CommandError(str(exc)) from exc
        for label, path in (("asr", models.asr_model), ("llm", models.llm_model)):
            status = "built" if path.name in models.rebuilt else "ok"
            size_mb = path.stat().st_size / 1e6
            self.stdout.write(f"{label}: {path} ({size_mb:.1f} MB, {status})")
        # The red-flag net's meaning match: embed its exemplars once into the cache.
        started = time.perf_counter()
        RedFlagNet.load(layers=settings.SAFETY_LAYERS, cache_dir=settings.SAFETY_CACHE_DIR)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"red flags: exemplar vectors in {settings.SAFETY_CACHE_DIR} ({seconds:.1f} s)"
        )
