"""The Action aggregate's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.control.action import Action, ActionSource
from domain.errors import DomainError

TODAY = date(2025, 3, 10)


def given_action(**fields: object) -> Action:
    values: dict[str, object] = {"action_id": uuid4(), "team_id": "team-1", "title": "Review falls bundle",
                                 "owner": "sister.jones", "due_date": date(2025, 4, 1), "source": ActionSource(),
                                 "today": TODAY}
    values.update(fields)
    action = Action.create(**values)  # type: ignore[arg-type]
    action.collect_events()
    return action


def then_events(action: Action) -> list[str]:
    return [type(e).__name__ for e in action.collect_events()]


@pytest.mark.parametrize(("fields", "field"), [({"owner": "  "}, "owner"), ({"owner": None}, "owner"),
                                               ({"due_date": None}, "dueDate"), ({"title": ""}, "title"),
                                               ({"due_date": date(1800, 1, 1)}, "dueDate")])
def test_an_action_without_an_owner_a_due_date_or_a_title_is_invalid_for_that_field(fields: dict[str, object],
                                                                                    field: str) -> None:
    with pytest.raises(DomainError) as e:
        given_action(**fields)
    assert (e.value.code, e.value.field) == ("INVALID", field)


def test_a_new_action_is_open_and_trimmed() -> None:
    action = given_action(title="  Audit the trolley  ")
    assert (action.status, action.title) == ("OPEN", "Audit the trolley")


def test_completing_an_open_action_records_its_evidence() -> None:
    action = given_action()
    action.complete("Bundle re-audited: 96% compliance", TODAY)
    assert then_events(action) == ["ActionCompleted"]
    assert action.status == "DONE"


@pytest.mark.parametrize("close", [lambda a: a.complete("done", TODAY), lambda a: a.cancel("no longer needed")])
def test_a_closed_action_cannot_be_completed_cancelled_reassigned_or_rescheduled(close: object) -> None:
    action = given_action()
    close(action)  # type: ignore[operator]
    action.collect_events()
    for attempt in (lambda: action.complete("again", TODAY), lambda: action.cancel("why"),
                    lambda: action.reassign("someone.else", "leave"),
                    lambda: action.reschedule(date(2025, 5, 1), "later")):
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.code == "INVALID_STATE"
    assert then_events(action) == []


def test_completing_without_evidence_or_cancelling_without_a_reason_is_invalid() -> None:
    action = given_action()
    with pytest.raises(DomainError) as e:
        action.complete(" ", TODAY)
    assert e.value.field == "evidence"
    with pytest.raises(DomainError) as e:
        action.cancel("")
    assert e.value.field == "reason"
    assert then_events(action) == []


def test_reassigning_and_rescheduling_record_the_previous_value_and_the_reason() -> None:
    action = given_action()
    action.reassign("charge.nurse", "Sister Jones on leave")
    action.reschedule(date(2025, 5, 1), "Waiting for the new trolleys")
    reassigned, rescheduled = action.collect_events()
    assert (reassigned.previous_owner, reassigned.owner, reassigned.reason) == (  # type: ignore[attr-defined]
        "sister.jones", "charge.nurse", "Sister Jones on leave")
    assert (rescheduled.previous_due_date, rescheduled.due_date) == (  # type: ignore[attr-defined]
        "2025-04-01", "2025-05-01")
    assert (action.owner, action.due_date) == ("charge.nurse", "2025-05-01")


def test_reassigning_to_the_same_owner_is_invalid() -> None:
    with pytest.raises(DomainError) as e:
        given_action().reassign("sister.jones", "no change")
    assert e.value.field == "owner"


def test_an_action_on_a_measure_notes_the_measure_s_chart_when_agreed_and_when_done() -> None:
    action = Action.create(action_id=uuid4(), team_id="team-1", title="Hourly rounding", owner="a",
                           due_date=date(2025, 4, 1), source=ActionSource("m-1", "Measure", "m-1"), today=TODAY)
    action.complete("Rounding in place", date(2025, 3, 20))
    created, completed = action.collect_events()
    assert created.chart_annotation()[:3] == (("m-1",), "2025-03-10", "ACTION")  # type: ignore[attr-defined]
    assert completed.chart_annotation()[:3] == (("m-1",), "2025-03-20", "ACTION")  # type: ignore[attr-defined]
    other = given_action()
    other.complete("x", TODAY)
    assert other.collect_events()[0].chart_annotation()[0] == ()  # type: ignore[attr-defined]
