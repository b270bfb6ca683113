"""What photo and chunk ingest share: the readable-source type, the acting user, and whether a
visit still accepts media."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from intake.models import Visit
from intake.states import EDITABLE, VisitStatus
from intake.uploads.errors import UploadConflict, VisitNotFound

if TYPE_CHECKING:
    from intake.roles import Actor


class Readable(Protocol):
    """An uploaded file, a request body, a BytesIO: anything with read(n) -> bytes."""

    def read(self, size: int = ..., /) -> bytes: ...


def user_id(actor: Actor) -> int | None:
    """The acting user's id for created_by, or None (anonymous, a worker, a tool)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    pk = actor.pk
    return int(pk) if pk is not None else None


def check_accepting(visit_id: int, status: str | None) -> None:
    """Refuse unless the visit exists and is in a state that still takes photos and audio."""
    if status is None:
        raise VisitNotFound(
            "visit_missing",
            "This intake no longer exists on the server; start a new intake for the patient.",
            detail=f"visit {visit_id}",
        )
    if VisitStatus(status) not in EDITABLE:
        raise UploadConflict(
            "visit_locked",
            "This visit no longer takes photos or recordings (it is "
            f"{VisitStatus(status).label.lower()}); tell the nurse instead.",
            detail=f"visit status {status}",
        )


def require_accepting_visit(visit_id: int) -> None:
    """Cheap check before any work (no lock): refuse early for a closed visit."""
    status = Visit.objects.filter(pk=visit_id).values_list("status", flat=True).first()
    check_accepting(visit_id, status)


def lock_visit(visit_id: int) -> str | None:
    """Lock the visit row for the current transaction; its status (None: no such visit).

    Every write of media rows for a visit takes this lock first, so concurrent uploads of one
    visit are serialized (get_or_create of a recording, chunk numbering, the photo count) and a
    nurse's review cannot slip in between the check and the insert.
    """
    return (
        Visit.objects.select_for_update()
        .filter(pk=visit_id)
        .values_list("status", flat=True)
        .first()
    )


def lock_accepting_visit(visit_id: int) -> None:
    """lock_visit, then refuse unless the visit still takes media."""
    check_accepting(visit_id, lock_visit(visit_id))
