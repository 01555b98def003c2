"""The Signal aggregate and the rule that raises one, as Given / When / Then. No I/O."""

from __future__ import annotations

import pytest

from domain.control.signal import Signal, SignalStatus, signal_id
from domain.errors import DomainError


def given_signal() -> Signal:
    signal = Signal.raise_signal(team_id="t", measure_id="m", period="2025-01-01", kind="CONCERN", basis="VARIATION",
                                 rules=["SINGLE_POINT"], detail="d", cause_position=42,
                                 raised_at="2025-02-01T10:00:00+00:00")
    signal.collect_events()
    return signal


def test_a_signal_id_depends_only_on_what_raised_it() -> None:
    assert given_signal().id == given_signal().id == signal_id("m", 42, "CONCERN", "VARIATION")
    assert signal_id("m", 43, "CONCERN", "VARIATION") != signal_id("m", 42, "CONCERN", "VARIATION")


def test_acknowledging_records_the_note() -> None:
    signal = given_signal()
    signal.acknowledge("  Seen at the huddle ")
    assert [type(e).__name__ for e in signal.collect_events()] == ["SignalAcknowledged"]
    assert (signal.status, signal.note) == (SignalStatus.ACKNOWLEDGED, "Seen at the huddle")


def test_a_second_acknowledgement_is_invalid_state() -> None:
    signal = given_signal()
    signal.acknowledge("Seen")
    signal.collect_events()
    with pytest.raises(DomainError) as e:
        signal.acknowledge("Again")
    assert e.value.code == "INVALID_STATE"
    assert signal.collect_events() == []


def test_an_acknowledgement_needs_a_note() -> None:
    with pytest.raises(DomainError) as e:
        given_signal().acknowledge(" ")
    assert (e.value.code, e.value.field) == ("INVALID", "note")
