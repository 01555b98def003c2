"""When a recording raises a signal (the contract's rule), as Given the latest point before / When the one after /
Then the signals. No I/O."""

from __future__ import annotations

import pytest

from projections.signals.decide import ASSURANCE, VARIATION, Latest, decide


def point(variation: str, assurance: str | None = None) -> Latest:
    return Latest("2025-01-01", variation, ("SINGLE_POINT",) if variation in ("CONCERN", "IMPROVEMENT") else (),
                  assurance)


def test_a_latest_point_that_becomes_a_concern_raises_a_concern() -> None:
    [d] = decide(point("COMMON_CAUSE"), point("CONCERN"), set())
    assert (d.kind, d.basis, d.rules) == ("CONCERN", VARIATION, ("SINGLE_POINT",))


def test_a_latest_point_that_was_already_a_concern_raises_nothing() -> None:
    assert decide(point("CONCERN"), point("CONCERN"), set()) == []


def test_an_open_signal_of_the_kind_holds_another_back() -> None:
    assert decide(point("COMMON_CAUSE"), point("CONCERN"), {"CONCERN"}) == []
    assert [d.kind for d in decide(point("COMMON_CAUSE"), point("IMPROVEMENT"), {"CONCERN"})] == ["IMPROVEMENT"]


def test_neither_and_common_cause_raise_nothing() -> None:
    assert decide(point("COMMON_CAUSE"), point("NEITHER_HIGH"), set()) == []
    assert decide(None, point("COMMON_CAUSE"), set()) == []


@pytest.mark.parametrize(("before", "after", "kind"), [("CONSISTENT_PASS", "HIT_AND_MISS", "CONCERN"),
                                                       ("HIT_AND_MISS", "CONSISTENT_FAIL", "CONCERN"),
                                                       ("CONSISTENT_FAIL", "CONSISTENT_PASS", "IMPROVEMENT")])
def test_an_assurance_icon_that_turns_raises_a_signal_its_way(before: str, after: str, kind: str) -> None:
    [d] = decide(point("COMMON_CAUSE", before), point("COMMON_CAUSE", after), set())
    assert (d.kind, d.basis, d.rules) == (kind, ASSURANCE, ())


def test_a_turn_and_a_special_cause_of_the_same_kind_raise_one_signal() -> None:
    [d] = decide(point("COMMON_CAUSE", "CONSISTENT_PASS"), point("CONCERN", "HIT_AND_MISS"), set())
    assert d.basis == VARIATION
