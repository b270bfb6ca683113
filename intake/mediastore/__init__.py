"""Encrypted-at-rest storage for recordings and photos.

`crypto` (file format, keyring) and `store` (MediaStore) are plain Python for workers and tools;
`intake.mediastore.django` adds get_store() and ranged_response() and is not imported here, so
importing this package never needs Django settings.
"""

from intake.mediastore.crypto import (
    InvalidMediaName,
    Keyring,
    KeyringError,
    MediaCorrupt,
    MediaError,
    MediaNotFound,
    MediaTooLarge,
    add_key,
    generate_key_file,
    load_keyring,
)
from intake.mediastore.store import MediaStore, StoredFile

__all__ = [
    "InvalidMediaName",
    "Keyring",
    "KeyringError",
    "MediaCorrupt",
    "MediaError",
    "MediaNotFound",
    "MediaStore",
    "MediaTooLarge",
    "StoredFile",
    "add_key",
    "generate_key_file",
    "load_keyring",
]
