"""Server-side ingest of what the front-desk tablets upload: photos and recorded audio chunks.

- `photos`: decode, check, re-encode (metadata stripped) and store a photo.
- `chunks`: append numbered MediaRecorder chunks to a recording, complete or discard it.
- `handlers`: the multipart upload handler that keeps a photo in memory, bounded by its limit.
- `errors`: `UploadRefused` with a stable `code`, a clerk-readable `message` and an HTTP status.

Everything here takes ids and plain file objects and writes through the encrypted media store,
so views stay thin and the same functions serve tests and tools.
"""
