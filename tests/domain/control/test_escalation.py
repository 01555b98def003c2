"""Escalation levels and escalations, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.control.escalation import Escalation, EscalationLevels, EscalationStatus, Level
from domain.errors import DomainError

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
LEVELS = [Level("Team", 60), Level("Directorate", 240), Level("Executive", 1440)]


def given_escalation(level: str = "Team") -> Escalation:
    escalation = Escalation.raise_(escalation_id=uuid4(), team_id="t", source_id="h.1", source_kind="HuddleProblem",
                                   summary="Two nurses short on nights", level=level, levels=LEVELS, now=NOW)
    escalation.collect_events()
    return escalation


def code_of(attempt: object) -> tuple[str, str | None]:
    with pytest.raises(DomainError) as e:
        attempt()  # type: ignore[operator]
    return e.value.code, e.value.field


def test_levels_are_named_once_each_with_a_positive_response_time() -> None:
    assert EscalationLevels.set_up(LEVELS, "Trust policy").levels == LEVELS
    assert code_of(lambda: EscalationLevels.set_up([], "x")) == ("INVALID", "levels")
    assert code_of(lambda: EscalationLevels.set_up([Level("Team", 60), Level("team", 5)], "x")) == ("INVALID",
                                                                                                    "levels")
    assert code_of(lambda: EscalationLevels.set_up([Level("Team", 0)], "x")) == ("INVALID", "levels")
    assert code_of(lambda: EscalationLevels.set_up(LEVELS, " ")) == ("INVALID", "reason")


def test_an_escalation_to_a_level_that_does_not_exist_is_invalid() -> None:
    assert code_of(lambda: given_escalation("Board")) == ("INVALID", "level")
    escalation = given_escalation()
    assert code_of(lambda: escalation.escalate("Board", "why", LEVELS, NOW)) == ("INVALID", "level")
    assert escalation.collect_events() == []


def test_each_step_is_timestamped_and_a_new_level_must_acknowledge_again() -> None:
    escalation = given_escalation()
    escalation.acknowledge("Bank staff requested", NOW + timedelta(minutes=20))
    escalation.escalate("Directorate", "No bank staff available", LEVELS, NOW + timedelta(hours=2))
    assert escalation.status is EscalationStatus.OPEN
    escalation.acknowledge("Matron moving staff", NOW + timedelta(hours=3))
    escalation.resolve("Agency nurse booked for the week", NOW + timedelta(hours=4))
    events = escalation.collect_events()
    assert [type(e).__name__ for e in events] == ["EscalationAcknowledged", "EscalatedFurther",
                                                  "EscalationAcknowledged", "EscalationResolved"]
    assert events[1].response_minutes == 240  # type: ignore[attr-defined]
    assert events[0].at == (NOW + timedelta(minutes=20)).isoformat()  # type: ignore[attr-defined]


def test_acknowledging_twice_escalating_downwards_or_acting_on_a_resolved_escalation_is_refused() -> None:
    escalation = given_escalation("Directorate")
    escalation.acknowledge("Seen", NOW)
    assert code_of(lambda: escalation.acknowledge("Again", NOW)) == ("INVALID_STATE", None)
    assert code_of(lambda: escalation.escalate("Team", "down", LEVELS, NOW)) == ("INVALID", "level")
    escalation.resolve("Sorted", NOW)
    for attempt in (lambda: escalation.resolve("again", NOW), lambda: escalation.acknowledge("x", NOW),
                    lambda: escalation.escalate("Executive", "x", LEVELS, NOW)):
        assert code_of(attempt)[0] == "INVALID_STATE"
