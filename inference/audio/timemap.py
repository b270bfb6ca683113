"""Map times in silence-trimmed audio back to the recording's own timeline."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

Edge = Literal["start", "end"]


@dataclass(frozen=True)
class TimeMap:
    """Piecewise-linear map from the trimmed audio's timeline to the original one.

    `kept` lists the (start, end) of each kept piece on the original timeline, in order; the
    trimmed audio is those pieces back to back. Within a piece the map is a shift; at a
    junction it jumps over the cut silence.
    """

    kept: tuple[tuple[float, float], ...]
    _out_starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts: list[float] = []
        total = 0.0
        for start, end in self.kept:
            if end < start or (starts and start < self.kept[len(starts) - 1][1]):
                raise ValueError(f"kept pieces must be ordered and disjoint: {self.kept}")
            starts.append(total)
            total += end - start
        object.__setattr__(self, "_out_starts", tuple(starts))

    @classmethod
    def identity(cls, duration_s: float) -> TimeMap:
        return cls(((0.0, duration_s),))

    @property
    def trimmed_duration(self) -> float:
        return sum(end - start for start, end in self.kept)

    def to_original(self, t: float, edge: Edge = "start") -> float:
        """Original time of trimmed time `t`.

        At a junction between two pieces, a start (of a word or segment) belongs to the later
        piece and an end to the earlier one, so nothing is stretched over the cut silence.
        Times past the end clamp to the end of the last piece.
        """
        if not self.kept:
            return t
        if edge == "start":
            index = bisect.bisect_right(self._out_starts, t) - 1
        else:
            index = bisect.bisect_left(self._out_starts, t) - 1
        index = min(max(index, 0), len(self.kept) - 1)
        start, end = self.kept[index]
        return min(max(start + (t - self._out_starts[index]), start), end)
