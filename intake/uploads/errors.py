"""Why an upload was refused: a stable `code` for the tablet, a `message` for the clerk and the
HTTP `status` the view answers with.

`message` is one sentence a front-desk clerk can act on (what happened, what to do). `str(exc)`
adds technical detail for logs; neither ever contains patient data (sizes, counts, formats only).
"""

from __future__ import annotations

from typing import ClassVar


class UploadRefused(Exception):
    """Base class: the upload was not stored (nothing of it is left on disk or in the database)."""

    default_status: ClassVar[int] = 400

    def __init__(
        self, code: str, message: str, *, status: int | None = None, detail: str = ""
    ) -> None:
        super().__init__(f"{code}: {detail or message}")
        self.code = code
        self.message = message
        self.status = self.default_status if status is None else status
        self.detail = detail


class BadUpload(UploadRefused):
    """Malformed or damaged content (400)."""

    default_status = 400


class VisitNotFound(UploadRefused):
    """No such visit (404). The views look the visit up first, so this is a race or a bug."""

    default_status = 404


class NoConsent(UploadRefused):
    """Audio for a visit whose patient did not agree to be recorded (403)."""

    default_status = 403

    def __init__(self, visit_id: int) -> None:
        super().__init__(
            "no_consent",
            "The patient did not agree to be recorded: this recording was not kept. Type the "
            "complaint instead, or record consent on the intake first.",
            detail=f"visit {visit_id} has no recording consent",
        )


class UploadConflict(UploadRefused):
    """The upload does not fit what is already stored or the visit's state (409)."""

    default_status = 409


class UploadTooLarge(UploadRefused):
    """Over a size or pixel limit (413)."""

    default_status = 413


class UnsupportedUpload(UploadRefused):
    """Not a kind of file the intake accepts (415)."""

    default_status = 415


class ChunkGap(UploadConflict):
    """A chunk arrived before an earlier one: `expected_seq` is the chunk the server needs next."""

    def __init__(self, expected_seq: int, got_seq: int) -> None:
        super().__init__(
            "chunk_gap",
            f"Part of the recording has not arrived yet (piece #{expected_seq} is needed next); "
            "keep the tablet on the network and it will send it.",
            detail=f"got chunk {got_seq}, expected {expected_seq}",
        )
        self.expected_seq = expected_seq


class ChunksMissing(UploadConflict):
    """A recording was completed with chunks still missing; `expected_seq` is the first one."""

    def __init__(self, missing_seqs: list[int], chunk_count: int) -> None:
        self.missing_seqs = missing_seqs
        self.expected_seq = missing_seqs[0]
        super().__init__(
            "chunks_missing",
            f"The recording is missing {_pieces(missing_seqs)} of {chunk_count}; keep the "
            "tablet on the network until everything is sent, then finish again.",
            detail=f"missing {missing_seqs[:20]} of {chunk_count}",
        )


def _pieces(seqs: list[int]) -> str:
    """Missing chunk numbers in a few words: "piece #3", "pieces #3-#7" or "5 pieces"."""
    if len(seqs) == 1:
        return f"piece #{seqs[0]}"
    if seqs == list(range(seqs[0], seqs[-1] + 1)):
        return f"pieces #{seqs[0]}-#{seqs[-1]}"
    return f"{len(seqs)} pieces"
