"""When a recording raises a signal (aspects contract, control): pure, so every process and every replay decides
the same from the same history."""

from __future__ import annotations

from dataclasses import dataclass

from domain.control.signal import SignalKind
from domain.control.vocabulary import AssuranceIcon, PointVariation

VARIATION = "VARIATION"
ASSURANCE = "ASSURANCE"
_SPECIAL = {PointVariation.CONCERN: SignalKind.CONCERN, PointVariation.IMPROVEMENT: SignalKind.IMPROVEMENT}
# Assurance from worst to best: a turn down is a concern, a turn up an improvement.
_RANK = {AssuranceIcon.CONSISTENT_FAIL: 0, AssuranceIcon.HIT_AND_MISS: 1, AssuranceIcon.CONSISTENT_PASS: 2}


@dataclass(frozen=True, slots=True)
class Latest:
    """The latest point by period of a chart as it stands: what the next recording is compared with."""

    period: str
    variation: str
    rules: tuple[str, ...]
    assurance: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    kind: SignalKind
    basis: str
    period: str
    rules: tuple[str, ...]
    detail: str


def decide(before: Latest | None, after: Latest | None, open_kinds: set[str]) -> list[Decision]:
    """The signals one recording raises: its latest point became a special cause it was not before, or the
    assurance icon turned; never one of a kind the measure already has OPEN."""
    if after is None:
        return []
    raised: list[Decision] = []
    kind = _SPECIAL.get(PointVariation(after.variation))
    was = before.variation if before is not None else None
    if kind is not None and was != after.variation and kind not in open_kinds:
        raised.append(Decision(kind, VARIATION, after.period, after.rules,
                               f"latest point {after.period} is a special cause of {kind.lower()}"))
    if before is not None and before.assurance and after.assurance and before.assurance != after.assurance:
        turn = SignalKind.CONCERN if _RANK[AssuranceIcon(after.assurance)] < _RANK[AssuranceIcon(before.assurance)] \
            else SignalKind.IMPROVEMENT
        if turn not in open_kinds and all(d.kind != turn for d in raised):
            raised.append(Decision(turn, ASSURANCE, after.period, (),
                                   f"assurance turned {before.assurance} -> {after.assurance}"))
    return raised
