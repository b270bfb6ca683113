"""Visit states and the one table of legal moves between them (pure Python, no database).

`draft` (tablet capturing) -> `submitted` -> `transcribing` -> `summarizing` -> `ready` (AI draft
waiting for a nurse) -> `reviewed` (nurse confirmed the final ESI) -> `roomed` / `seen` ->
`discharged`. Side exits: `failed` (reason kept; re-run or triaged by hand), `cancelled` and
`left_without_being_seen` at any time before the end.
"""

from __future__ import annotations

from enum import StrEnum


class VisitStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    TRANSCRIBING = "transcribing"
    SUMMARIZING = "summarizing"
    READY = "ready"
    REVIEWED = "reviewed"
    ROOMED = "roomed"
    SEEN = "seen"
    DISCHARGED = "discharged"
    FAILED = "failed"
    CANCELLED = "cancelled"
    LEFT_WITHOUT_BEING_SEEN = "left_without_being_seen"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


S = VisitStatus

FINAL: frozenset[VisitStatus] = frozenset({S.DISCHARGED, S.CANCELLED, S.LEFT_WITHOUT_BEING_SEEN})
# Still waiting for the machine: the sweeper watches these.
PROCESSING: frozenset[VisitStatus] = frozenset({S.SUBMITTED, S.TRANSCRIBING, S.SUMMARIZING})
# On the nurses' worklist.
OPEN: frozenset[VisitStatus] = frozenset(
    {S.SUBMITTED, S.TRANSCRIBING, S.SUMMARIZING, S.READY, S.FAILED, S.REVIEWED, S.ROOMED}
)
# Before a nurse has reviewed it, the front desk may still edit a visit and add photos and
# audio (failed included: a re-run picks the new media up).
EDITABLE: frozenset[VisitStatus] = frozenset(
    {S.DRAFT, S.SUBMITTED, S.TRANSCRIBING, S.SUMMARIZING, S.READY, S.FAILED}
)

_EXITS = {S.CANCELLED, S.LEFT_WITHOUT_BEING_SEEN}

TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED} | _EXITS),
    # A visit with no recording (typed complaint) goes straight to summarizing.
    S.SUBMITTED: frozenset({S.TRANSCRIBING, S.SUMMARIZING, S.FAILED} | _EXITS),
    # Back to submitted: a step's lease expired and the sweeper re-queues it.
    S.TRANSCRIBING: frozenset({S.SUMMARIZING, S.FAILED, S.SUBMITTED} | _EXITS),
    S.SUMMARIZING: frozenset({S.READY, S.FAILED, S.SUBMITTED} | _EXITS),
    # New audio or photos before review, or a nurse's re-run: processed again.
    S.READY: frozenset({S.REVIEWED, S.SUBMITTED, S.SUMMARIZING} | _EXITS),
    # Re-run, or triaged by hand without an AI draft.
    S.FAILED: frozenset({S.SUBMITTED, S.SUMMARIZING, S.REVIEWED} | _EXITS),
    S.REVIEWED: frozenset({S.ROOMED, S.SEEN, S.DISCHARGED} | _EXITS),
    S.ROOMED: frozenset({S.SEEN, S.DISCHARGED, S.LEFT_WITHOUT_BEING_SEEN}),
    S.SEEN: frozenset({S.DISCHARGED}),
    S.DISCHARGED: frozenset(),
    S.CANCELLED: frozenset(),
    S.LEFT_WITHOUT_BEING_SEEN: frozenset(),
}


class IllegalTransition(Exception):
    def __init__(self, current: VisitStatus | str, target: VisitStatus | str) -> None:
        super().__init__(f"A visit cannot move from {current!s} to {target!s}.")
        self.current = current
        self.target = target


def sources_of(target: VisitStatus) -> frozenset[VisitStatus]:
    """Every state from which `target` may be entered."""
    return frozenset(src for src, targets in TRANSITIONS.items() if target in targets)
