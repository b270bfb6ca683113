"""Key rotation: rewrite every stored file that an older key (or the older format) wrote, so
the older key can be retired. Safe to interrupt and run again (only files not yet rewritten
are touched) and to run while the clinic works: each file is replaced atomically under its own
name, and the old keys stay readable until no file needs them. Plain Python (no Django)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from intake.mediastore.crypto import InvalidMediaName, MediaError
from intake.mediastore.store import MediaStore, validate_name


@dataclass
class Rotation:
    total: int = 0
    rewritten: int = 0
    current: int = 0
    unreadable: list[str] = field(default_factory=list)


def stored_names(store: MediaStore) -> list[str]:
    names = []
    for name, _path, _mtime in store.walk():
        try:
            names.append(validate_name(name))
        except InvalidMediaName:
            continue  # partial writes and anything that is not the store's
    return names


def rotate(store: MediaStore, progress: Callable[[int, int], None] | None = None) -> Rotation:
    names = stored_names(store)
    result = Rotation(total=len(names))
    for done, name in enumerate(names, start=1):
        try:
            if store.reencrypt(name):
                result.rewritten += 1
            else:
                result.current += 1
        except FileNotFoundError:
            result.total -= 1  # deleted meanwhile (retention): nothing to rotate
        except MediaError:
            result.unreadable.append(name)
        if progress is not None:
            progress(done, len(names))
    return result


def keys_in_use(store: MediaStore) -> Counter[str]:
    """How many stored files each key id wrote."""
    used: Counter[str] = Counter()
    for name in stored_names(store):
        try:
            used[store.header(name).key_id] += 1
        except (FileNotFoundError, MediaError):
            continue
    return used
