"""inference.files: the one atomic-write helper (media store, key file, TLS files, models)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from inference.files import atomic_file, atomic_path, atomic_write, atomic_write_text


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_replaces_a_file_and_leaves_nothing_else_behind(tmp_path: Path) -> None:
    target = tmp_path / "ca.crt"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [target]


def test_it_makes_files_private_unless_told_otherwise(tmp_path: Path) -> None:
    atomic_write(tmp_path / "key", b"secret")
    atomic_write(tmp_path / "model", b"shared", mode=0o644)
    assert mode_of(tmp_path / "key") == 0o600
    assert mode_of(tmp_path / "model") == 0o644


def test_it_writes_text_as_utf8(tmp_path: Path) -> None:
    atomic_write_text(tmp_path / "sums", "café\n")
    assert (tmp_path / "sums").read_bytes() == "café\n".encode()


def test_it_keeps_the_temporary_file_hidden_private_and_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "server.crt"
    with atomic_file(target, mode=0o644) as fh:
        fh.write(b"partial")
        (tmp,) = tmp_path.iterdir()  # the target does not exist yet
        assert tmp.name.startswith(".server.crt.") and tmp.name.endswith(".tmp")
        assert mode_of(tmp) == 0o600  # widened only once complete
    assert target.read_bytes() == b"partial"


def test_it_names_the_temporary_file_as_asked(tmp_path: Path) -> None:
    with atomic_file(tmp_path / "ab.cims", prefix=".tmp-", suffix=".part") as fh:
        fh.write(b"x")
        (tmp,) = tmp_path.iterdir()
        assert tmp.name.startswith(".tmp-") and tmp.name.endswith(".part")


def test_it_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "media.key"
    target.write_bytes(b"old keys")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"half a ")
        raise RuntimeError("disk gone")
    assert target.read_bytes() == b"old keys"
    assert list(tmp_path.iterdir()) == [target]


def test_it_gives_writers_that_need_a_name_a_path(tmp_path: Path) -> None:
    target = tmp_path / "model.gguf"
    with atomic_path(target, mode=0o644) as tmp:
        assert tmp.parent == tmp_path and tmp.exists()
        tmp.write_bytes(b"weights")
    assert target.read_bytes() == b"weights"
    assert mode_of(target) == 0o644
    assert list(tmp_path.iterdir()) == [target]


def test_it_removes_the_path_writers_file_when_the_check_fails(tmp_path: Path) -> None:
    target = tmp_path / "model.gguf"
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        tmp.write_bytes(b"wrong weights")
        raise ValueError("checksum mismatch")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
