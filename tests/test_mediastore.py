"""The encrypted media store: format, tamper detection, keys, streaming reads, Range responses."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import itertools
import logging
import math
import os
import random
import struct
import wave
from pathlib import Path
from typing import Any

import av
import pytest
from django.http import StreamingHttpResponse
from django.test import AsyncRequestFactory, RequestFactory
from PIL import Image

from intake.mediastore import (
    InvalidMediaName,
    Keyring,
    KeyringError,
    MediaCorrupt,
    MediaNotFound,
    MediaStore,
    MediaTooLarge,
    StoredFile,
    add_key,
    generate_key_file,
    load_keyring,
)
from intake.mediastore.crypto import TAG_LEN, BlockCipher, FileHeader, read_header
from intake.mediastore.django import get_store, ranged_response, reset_store

BLOCK = 1024  # small blocks keep multi-block cases fast


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(active_key_id="k1", keys={"k1": os.urandom(32)})


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def store(root: Path, keyring: Keyring) -> MediaStore:
    return MediaStore(root, keyring, block_size=BLOCK)


def read_all(store: MediaStore, name: str) -> bytes:
    with store.open(name) as f:
        return f.read()


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def header_len(store: MediaStore, name: str) -> int:
    with (store.root / name).open("rb") as f:
        return read_header(f).size


def edit(path: Path, offset: int, new: bytes) -> None:
    data = bytearray(path.read_bytes())
    data[offset : offset + len(new)] = new
    path.write_bytes(bytes(data))


def block_offset(hlen: int, index: int) -> int:
    return hlen + index * (BLOCK + TAG_LEN)


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7])
def test_it_round_trips_every_size_around_block_edges(store: MediaStore, size: int) -> None:
    data = os.urandom(size)
    stored = store.save(io.BytesIO(data), subdir="recordings")

    assert stored == StoredFile(stored.name, size, hashlib.sha256(data).hexdigest())
    assert stored.name.startswith("recordings/") and stored.name.endswith(".cims")
    assert read_all(store, stored.name) == data
    assert store.size(stored.name) == size
    assert store.exists(stored.name)
    n_blocks = max(1, math.ceil(size / BLOCK))
    on_disk = (store.root / stored.name).stat().st_size
    assert on_disk == header_len(store, stored.name) + size + n_blocks * TAG_LEN


def test_it_saves_from_chunks_bytes_and_files_alike(store: MediaStore, tmp_path: Path) -> None:
    data = os.urandom(5000)
    cuts = [0, 0, 1, 1500, 1503, 2048, 4096, 5000]
    chunks = [data[a:b] for a, b in itertools.pairwise(cuts)]  # includes an empty chunk
    src = tmp_path / "upload.bin"
    src.write_bytes(data)

    from_chunks = store.save(iter(chunks))
    from_memoryviews = store.save(memoryview(data[i : i + 700]) for i in range(0, 5000, 700))
    from_bytes = store.save(data)
    with src.open("rb") as f:
        from_file = store.save(f)

    stored = [from_chunks, from_memoryviews, from_bytes, from_file]
    assert {s.sha256 for s in stored} == {hashlib.sha256(data).hexdigest()}
    assert {s.size for s in stored} == {5000}
    assert len({s.name for s in stored}) == 4
    for s in stored:
        assert read_all(store, s.name) == data


def test_it_refuses_text_sources(store: MediaStore, root: Path) -> None:
    with pytest.raises(TypeError):
        store.save(["not bytes"])  # type: ignore[list-item]
    assert files_under(root) == []


# --- seeking -------------------------------------------------------------------------------


def random_ops_agree(stream: Any, data: bytes, seed: int, ops: int = 300) -> None:
    """Drive `stream` and a BytesIO through the same random seeks and reads."""
    rng = random.Random(seed)
    expected = io.BytesIO(data)
    stream.seek(0)
    size = len(data)
    for _ in range(ops):
        op = rng.choice(["set", "cur", "end", "read", "read", "readinto", "readall"])
        if op == "set":
            pos = rng.randint(0, size + 50)
            assert stream.seek(pos) == expected.seek(pos)
        elif op == "cur":
            delta = rng.randint(-min(expected.tell(), 2 * BLOCK), 2 * BLOCK)
            assert stream.seek(delta, io.SEEK_CUR) == expected.seek(delta, io.SEEK_CUR)
        elif op == "end":
            delta = -rng.randint(0, size)
            assert stream.seek(delta, io.SEEK_END) == expected.seek(delta, io.SEEK_END)
        elif op == "read":
            n = rng.choice([0, 1, 2, 7, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK])
            assert stream.read(n) == expected.read(n)
        elif op == "readinto":
            n = rng.randint(0, 2 * BLOCK + 3)
            got, want = bytearray(n), bytearray(n)
            assert stream.readinto(got) == expected.readinto(want)
            assert got == want
        else:
            assert stream.read() == expected.read()
        assert stream.tell() == expected.tell()


def test_it_seeks_and_reads_like_a_plain_file(store: MediaStore) -> None:
    data = os.urandom(5 * BLOCK + 123)
    name = store.save(data).name
    with store.open(name) as f:
        assert f.readable() and f.seekable() and not f.writable()
        random_ops_agree(f, data, seed=1)
        with pytest.raises(ValueError, match="negative"):
            f.seek(-1)
    assert f.closed
    with pytest.raises(ValueError):
        f.read(1)


def test_it_decrypts_only_the_blocks_a_read_needs(store: MediaStore, monkeypatch) -> None:
    data = os.urandom(10 * BLOCK)
    name = store.save(data).name
    decrypted: list[int] = []
    real = BlockCipher.decrypt

    def counting(self, index, ciphertext, *, final):
        decrypted.append(index)
        return real(self, index, ciphertext, final=final)

    monkeypatch.setattr(BlockCipher, "decrypt", counting)
    with store.open(name) as f:
        assert decrypted == [9]  # open() authenticates the final block only
        f.seek(4 * BLOCK + 10)
        assert f.read(5) == data[4 * BLOCK + 10 : 4 * BLOCK + 15]
        assert f.read(5) == data[4 * BLOCK + 15 : 4 * BLOCK + 20]  # cached block
        assert decrypted == [9, 4]


def test_it_joins_chunks_into_one_seekable_stream(store: MediaStore) -> None:
    parts = [os.urandom(1500), b"", os.urandom(2 * BLOCK), os.urandom(777)]
    names = [store.save(p, subdir="chunks").name for p in parts]
    joined = b"".join(parts)

    with store.open_concat(names) as f:
        assert f.read() == joined
        for boundary in (1500, 1500 + 2 * BLOCK):
            f.seek(boundary - 5)
            assert f.read(10) == joined[boundary - 5 : boundary + 5]
        random_ops_agree(f, joined, seed=2)
    with store.open_concat([]) as empty:
        assert empty.read() == b""
    with pytest.raises(MediaNotFound):
        store.open_concat([*names, "ab/ab" + "0" * 30 + ".cims"])


# --- limits ----------------------------------------------------------------------------------


def test_it_stops_at_max_bytes_and_leaves_nothing_behind(store: MediaStore, root: Path) -> None:
    def upload():
        for _ in range(10):
            yield os.urandom(1000)

    with pytest.raises(MediaTooLarge) as raised:
        store.save(upload(), max_bytes=4096)
    assert raised.value.limit == 4096
    assert files_under(root) == []

    exactly = store.save(os.urandom(4096), max_bytes=4096)
    assert exactly.size == 4096


def test_it_says_the_limit_in_words_staff_read() -> None:
    assert str(MediaTooLarge(25 * 1024 * 1024)) == "The file is larger than the 25 MB limit."
    assert str(MediaTooLarge(1536 * 1024)) == "The file is larger than the 1.5 MB limit."


def test_it_never_writes_plaintext_to_disk(store: MediaStore, root: Path) -> None:
    pattern = b"PATIENT-JANE-DOE-DOB-1970-01-01|"
    store.save(pattern * 400)
    store.save(iter([pattern] * 50), subdir="photos")
    with pytest.raises(MediaTooLarge):
        store.save(iter([pattern] * 400), max_bytes=5000)
    files = files_under(root)
    assert len(files) == 2
    for path in files:
        content = path.read_bytes()
        assert pattern[:12] not in content
        assert b"JANE-DOE" not in content


def test_it_stores_media_that_no_decoder_recognises(store: MediaStore, root: Path) -> None:
    # Real files: a WAV, an Ogg/Opus and a JPEG. What lands on disk must not open as audio or
    # image, nor carry any container's magic bytes anywhere (a forensic carver finds nothing).
    wav = io.BytesIO()
    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(struct.pack("<8000h", *([1000, -1000] * 4000)))
    ogg = io.BytesIO()
    with av.open(ogg, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48000)
        frame = av.AudioFrame(format="s16", layout="mono", samples=960)
        frame.sample_rate = 48000
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(jpeg, "JPEG")
    originals = [wav.getvalue(), ogg.getvalue(), jpeg.getvalue()]
    assert [o[:4] for o in originals] == [b"RIFF", b"OggS", b"\xff\xd8\xff\xe0"]
    names = [store.save(data).name for data in originals]
    for name, original in zip(names, originals, strict=True):
        content = (root / name).read_bytes()
        for magic in (b"RIFF", b"WAVE", b"OggS", b"OpusHead", b"\x1a\x45\xdf\xa3", b"\xff\xd8\xff"):
            assert magic not in content, (name, magic)
        with pytest.raises(av.error.FFmpegError):
            av.open(io.BytesIO(content)).close()
        with pytest.raises(OSError):
            Image.open(io.BytesIO(content))
        assert read_all(store, name) == original  # and it is the real thing once decrypted


# --- tamper detection ----------------------------------------------------------------------


@pytest.fixture
def three_blocks(store: MediaStore) -> tuple[str, bytes]:
    data = os.urandom(3 * BLOCK + 7)
    return store.save(data).name, data


def test_it_detects_a_flipped_byte_in_a_block(store: MediaStore, three_blocks) -> None:
    name, _ = three_blocks
    path = store.root / name
    offset = block_offset(header_len(store, name), 1) + 100
    edit(path, offset, bytes([path.read_bytes()[offset] ^ 0x01]))
    with store.open(name) as f:
        assert len(f.read(BLOCK)) == BLOCK  # block 0 is intact and readable
        with pytest.raises(MediaCorrupt, match="block 1"):
            f.read(1)


@pytest.mark.parametrize("cut", ["mid_block", "block_boundary", "header"])
def test_it_detects_truncation(store: MediaStore, three_blocks, cut: str) -> None:
    name, _ = three_blocks
    path = store.root / name
    hlen = header_len(store, name)
    keep = {
        "mid_block": block_offset(hlen, 2) + 500,
        "block_boundary": block_offset(hlen, 3),  # drops the 7-byte final block exactly
        "header": hlen - 3,
    }[cut]
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(MediaCorrupt):
        read_all(store, name)


def test_it_detects_blocks_swapped_within_a_file(store: MediaStore, three_blocks) -> None:
    name, _ = three_blocks
    path = store.root / name
    hlen = header_len(store, name)
    data = path.read_bytes()
    a, b = block_offset(hlen, 0), block_offset(hlen, 1)
    stride = BLOCK + TAG_LEN
    path.write_bytes(data[:a] + data[b : b + stride] + data[a : a + stride] + data[b + stride :])
    with pytest.raises(MediaCorrupt):
        read_all(store, name)


def test_it_detects_a_block_moved_from_another_file(store: MediaStore, three_blocks) -> None:
    name, _ = three_blocks
    other = store.save(os.urandom(3 * BLOCK + 7)).name
    hlen = header_len(store, name)
    start, stride = block_offset(hlen, 0), BLOCK + TAG_LEN
    foreign = (store.root / other).read_bytes()[start : start + stride]
    edit(store.root / name, start, foreign)
    with pytest.raises(MediaCorrupt):
        read_all(store, name)


def test_it_detects_files_swapped_between_names(store: MediaStore) -> None:
    # Two patients' photos (or one patient's recording copied over another's): each row names
    # its file, and each file is bound to its name.
    first, second = store.save(b"patient A " * 50).name, store.save(b"patient B " * 50).name
    a, b = store.root / first, store.root / second
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    for name in (first, second):
        with pytest.raises(MediaCorrupt, match="renamed"):
            read_all(store, name)


def test_it_still_reads_files_written_before_names_were_bound(
    store: MediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = FileHeader.new.__func__  # type: ignore[attr-defined]

    def version_1(cls: type[FileHeader], key_id: str, block_size: int) -> FileHeader:
        return original(cls, key_id, block_size, version=1)  # type: ignore[no-any-return]

    monkeypatch.setattr(FileHeader, "new", classmethod(version_1))
    data = os.urandom(3 * BLOCK + 5)
    name = store.save(data).name
    monkeypatch.undo()
    with (store.root / name).open("rb") as f:
        assert read_header(f).version == 1
    assert read_all(store, name) == data
    assert store.save(b"new").name and FileHeader.new("k1", BLOCK).version == 2


@pytest.mark.parametrize("field", ["magic", "version", "block_size", "nonce_prefix", "file_id"])
def test_it_detects_header_edits(store: MediaStore, three_blocks, field: str) -> None:
    name, _ = three_blocks
    hlen = header_len(store, name)  # 4 magic, 1 version, 1 + 2 key id "k1", 4, 8, 16
    offset = {
        "magic": 0,
        "version": 4,
        "block_size": 8,
        "nonce_prefix": hlen - 24,
        "file_id": hlen - 1,
    }[field]
    path = store.root / name
    edit(path, offset, bytes([path.read_bytes()[offset] ^ 0x40]))
    with pytest.raises(MediaCorrupt):
        read_all(store, name)


def test_it_detects_a_block_size_edit_that_keeps_the_length_valid(store: MediaStore) -> None:
    name = store.save(os.urandom(100)).name  # one block: any block size >= 100 fits the length
    edit(store.root / name, 8, struct.pack(">I", 2048))
    with pytest.raises(MediaCorrupt, match="authentication"):
        read_all(store, name)


def test_it_refuses_files_with_an_unknown_key_id(store: MediaStore, root: Path) -> None:
    name = store.save(b"hello").name
    other = MediaStore(root, Keyring("k2", {"k2": os.urandom(32)}), block_size=BLOCK)
    with pytest.raises(MediaCorrupt, match="Unknown encryption key id 'k1'"):
        other.open(name)


def test_it_refuses_the_right_key_id_with_the_wrong_key(store: MediaStore, root: Path) -> None:
    name = store.save(b"hello").name
    impostor = MediaStore(root, Keyring("k1", {"k1": os.urandom(32)}), block_size=BLOCK)
    with pytest.raises(MediaCorrupt):
        impostor.open(name)


# --- names -----------------------------------------------------------------------------------

GOOD_TAIL = "ab/ab" + "0123456789abcdef0123456789abcd" + ".cims"


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "/etc/passwd",
        "../" + GOOD_TAIL,
        "sub/../" + GOOD_TAIL,
        "/" + GOOD_TAIL,
        GOOD_TAIL + "\n",
        GOOD_TAIL.replace(".cims", ".txt"),
        "cd" + GOOD_TAIL[2:],  # shard does not match the file id
        GOOD_TAIL.upper(),
        "ab/.tmp-xyz.part",
        "a/b/c/d/e/" + GOOD_TAIL,
        "x" * 170 + "/" + GOOD_TAIL,
        "",
    ],
)
def test_it_rejects_names_it_could_not_have_made(store: MediaStore, name: str) -> None:
    for call in (store.open, store.delete, store.exists, store.size):
        with pytest.raises(InvalidMediaName):
            call(name)
    with pytest.raises(InvalidMediaName):
        store.open_concat([name])


@pytest.mark.parametrize("subdir", ["../x", "/abs", "a/b/c/d/e", "a//b", "a/", "ü", "a.b"])
def test_it_rejects_bad_subdirectories(store: MediaStore, root: Path, subdir: str) -> None:
    with pytest.raises(InvalidMediaName):
        store.save(b"x", subdir=subdir)
    assert files_under(root) == []


def test_it_reports_missing_files_and_deletes_idempotently(store: MediaStore) -> None:
    name = store.save(b"bye", subdir="visits/42").name
    store.delete(name)
    store.delete(name)
    assert not store.exists(name)
    with pytest.raises(MediaNotFound):
        store.open(name)
    with pytest.raises(MediaNotFound):
        store.size(name)


# --- keys ------------------------------------------------------------------------------------


def test_it_rotates_keys_and_keeps_old_files_readable(tmp_path: Path) -> None:
    key_file = tmp_path / "media.key"
    generate_key_file(key_file, key_id="old")
    assert (key_file.stat().st_mode & 0o777) == 0o600
    with pytest.raises(KeyringError, match="refusing to overwrite"):
        generate_key_file(key_file)
    old_store = MediaStore(tmp_path / "m", load_keyring(key_file), block_size=BLOCK)
    old_name = old_store.save(b"before rotation").name

    new_id = add_key(key_file)
    keyring = load_keyring(key_file)
    assert keyring.active_key_id == new_id != "old"
    assert set(keyring.keys) == {"old", new_id}
    assert (key_file.stat().st_mode & 0o777) == 0o600

    new_store = MediaStore(tmp_path / "m", keyring, block_size=BLOCK)
    new_name = new_store.save(b"after rotation").name
    assert read_all(new_store, old_name) == b"before rotation"
    assert read_all(new_store, new_name) == b"after rotation"
    with (tmp_path / "m" / new_name).open("rb") as f:
        assert read_header(f).key_id == new_id
    with pytest.raises(MediaCorrupt):
        old_store.open(new_name)  # a process that never reloaded its keyring


def b64(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("", "contains no keys"),
        ("# only a comment\n", "contains no keys"),
        ("k1:not base64!!\n", "line 1: key 'k1' is not valid base64"),
        (f"# c\nk1:{b64(16)}\n", "line 2: key 'k1' is 16 bytes; AES-256 needs 32 bytes"),
        (f"nocolon{b64(32)}\n", "expected `key_id:base64key`"),
        (f"bad id:{b64(32)}\n", "invalid key id"),
        (f"k1:{b64(32)}\nk1:{b64(32)}\n", "line 2: key id 'k1' appears twice"),
    ],
)
def test_it_explains_bad_key_files(tmp_path: Path, content: str | None, message: str) -> None:
    key_file = tmp_path / "media.key"
    if content is not None:
        key_file.write_text(content)
    with pytest.raises(KeyringError, match=str(key_file)) as raised:
        load_keyring(key_file)
    assert message in str(raised.value)


def test_it_takes_the_last_key_as_active(tmp_path: Path) -> None:
    key_file = tmp_path / "media.key"
    key_file.write_text(f"# keys\n\na:{b64(32)}\n  b : {b64(32)}  \n")
    key_file.chmod(0o600)
    keyring = load_keyring(key_file)
    assert keyring.active_key_id == "b"
    assert "keys=" not in repr(keyring)  # key material never ends up in logs


def test_it_warns_about_a_key_file_others_can_read(tmp_path: Path, caplog) -> None:
    key_file = tmp_path / "media.key"
    generate_key_file(key_file)
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="intake.mediastore.crypto"):
        load_keyring(key_file)
    assert "chmod 600" in caplog.text


# --- real decoders read through the store ------------------------------------------------------


def test_it_feeds_pyav_a_wav_through_the_store(store: MediaStore) -> None:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / 16000)))
                for i in range(16000)
            )
        )
    name = store.save(buf.getvalue(), subdir="recordings").name

    with av.open(store.open(name), mode="r") as container:
        stream = container.streams.audio[0]
        assert stream.sample_rate == 16000
        samples = sum(frame.samples for frame in container.decode(stream))
    assert samples == 16000


def test_it_feeds_pillow_a_png_through_the_store(store: MediaStore) -> None:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    image.putpixel((39, 29), (1, 2, 3))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    name = store.save(buf.getvalue(), subdir="photos").name

    with store.open(name) as f, Image.open(f) as opened:
        opened.load()
        assert opened.format == "PNG"
        assert opened.size == (40, 30)
        assert opened.getpixel((39, 29)) == (1, 2, 3)


# --- Django: get_store and Range responses ----------------------------------------------------


@pytest.fixture
def media_settings(settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ENCRYPTION_KEY_FILE = tmp_path / "media.key"
    reset_store()
    yield settings
    reset_store()


def test_it_builds_one_store_per_process_and_reloads_rotated_keys(media_settings) -> None:
    with pytest.raises(KeyringError, match="does not exist"):
        get_store()
    generate_key_file(media_settings.MEDIA_ENCRYPTION_KEY_FILE, key_id="first")
    store = get_store()
    assert get_store() is store
    assert store.root == media_settings.MEDIA_ROOT
    assert store.keyring.active_key_id == "first"
    old = store.save(b"x").name

    add_key(media_settings.MEDIA_ENCRYPTION_KEY_FILE, key_id="second")
    rotated = get_store()
    assert rotated is not store
    assert rotated.keyring.active_key_id == "second"
    assert read_all(rotated, old) == b"x"


DATA = bytes(range(256)) * 4  # 1024 bytes


class Tracked(io.BytesIO):
    pass


def serve(range_header: str | None = None, **extra: str):
    headers = {"Range": range_header} if range_header else {}
    request = RequestFactory().get("/media/1", headers={**headers, **extra})
    fileobj = Tracked(DATA)
    response = ranged_response(request, fileobj, len(DATA), "audio/webm")
    return response, fileobj


def body_of(response) -> bytes:
    try:
        return b"".join(response.streaming_content) if response.streaming else response.content
    finally:
        response.close()


def test_it_serves_the_whole_file_without_a_range() -> None:
    response, fileobj = serve()
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(DATA))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "audio/webm"
    assert "Content-Range" not in response
    assert body_of(response) == DATA
    assert fileobj.closed


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, 1023),
        ("bytes=-5", 1019, 1023),
        ("bytes=1000-5000", 1000, 1023),
        ("bytes=-5000", 0, 1023),
        (" bytes=1023-1023 ", 1023, 1023),
    ],
)
def test_it_serves_single_ranges(header: str, start: int, end: int) -> None:
    response, fileobj = serve(header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/1024"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(response) == DATA[start : end + 1]
    assert fileobj.closed


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_it_refuses_unsatisfiable_ranges(header: str) -> None:
    response, fileobj = serve(header)
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"
    assert response["Cache-Control"] == "private, no-store"
    assert fileobj.closed


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-9", "bytes=9-0", "bytes=-", "junk"])
def test_it_answers_other_ranges_with_the_whole_file(header: str) -> None:
    response, _ = serve(header)
    assert response.status_code == 200
    assert body_of(response) == DATA


def test_it_ignores_range_when_if_range_cannot_match() -> None:
    response, _ = serve("bytes=0-9", **{"If-Range": '"some-etag"'})
    assert response.status_code == 200


def test_it_streams_decrypted_media_in_blocks(store: MediaStore) -> None:
    data = os.urandom(5 * BLOCK + 3)
    name = store.save(data).name
    request = RequestFactory().get("/media/1", headers={"Range": f"bytes={BLOCK - 2}-"})
    response = ranged_response(
        request, store.open(name), store.size(name), "image/png", block_size=BLOCK
    )
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response)
    response.close()
    assert b"".join(chunks) == data[BLOCK - 2 :]
    assert max(len(c) for c in chunks) <= BLOCK


def test_it_streams_asynchronously_under_asgi() -> None:
    request = AsyncRequestFactory().get("/media/1", headers={"Range": "bytes=100-"})
    fileobj = Tracked(DATA)
    response = ranged_response(request, fileobj, len(DATA), "audio/webm", block_size=64)
    assert isinstance(response, StreamingHttpResponse)
    assert response.is_async  # a sync iterator would be buffered whole by Django under ASGI

    async def consume() -> list[bytes]:
        return [chunk async for chunk in response]

    chunks = asyncio.run(consume())
    response.close()
    assert b"".join(chunks) == DATA[100:]
    assert len(chunks) == math.ceil((len(DATA) - 100) / 64)
    assert fileobj.closed
