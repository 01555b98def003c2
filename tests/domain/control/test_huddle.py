"""The Huddle aggregate's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.control.huddle import Huddle, ProblemIn, problem_huddle, problem_id
from domain.errors import DomainError

TODAY = date(2025, 3, 10)


def given_huddle(**fields: object) -> Huddle:
    values: dict[str, object] = {"huddle_id": uuid4(), "team_id": "team-1", "held_on": TODAY,
                                 "attendees": ["sister.jones", "dr.patel"], "measure_ids": ["m-1"],
                                 "team_measures": {"m-1", "m-2"},
                                 "problems": [ProblemIn("Hoist broken", "Borrowed one from ward 8"),
                                              ProblemIn("Two nurses short on nights")], "today": TODAY}
    values.update(fields)
    huddle = Huddle.hold(**values)  # type: ignore[arg-type]
    huddle.collect_events()
    return huddle


def refused(field: str, code: str = "INVALID", **fields: object) -> DomainError:
    with pytest.raises(DomainError) as e:
        given_huddle(**fields)
    assert (e.value.code, e.value.field) == (code, field)
    return e.value


def test_a_huddle_records_who_came_what_was_reviewed_and_which_problems_were_solved() -> None:
    huddle = Huddle.hold(huddle_id=uuid4(), team_id="t", held_on=TODAY, attendees=["a", " a ", "b"],
                         measure_ids=["m-1", "m-1"], team_measures={"m-1"},
                         problems=[ProblemIn("Hoist broken", "Borrowed one"), ProblemIn("Short on nights")],
                         today=TODAY)
    (held,) = huddle.collect_events()
    assert held.attendees == ["a", "b"] and held.measure_ids == ["m-1"]  # type: ignore[attr-defined]
    assert [p["resolution"] for p in held.problems] == ["Borrowed one", None]  # type: ignore[attr-defined]
    assert huddle.solved == {1: True, 2: False}


def test_a_huddle_in_the_future_is_invalid() -> None:
    refused("date", held_on=date(2025, 3, 11))


def test_a_huddle_without_a_date_or_attendees_is_invalid() -> None:
    refused("date", held_on=None)
    refused("attendees", attendees=[])
    assert refused("attendees", attendees=["a", " "]).index == 1


def test_a_measure_of_another_team_cannot_be_reviewed() -> None:
    assert refused("measureIds", measure_ids=["m-1", "m-9"]).index == 1


def test_a_problem_without_a_description_is_invalid_with_its_index() -> None:
    assert refused("problems", problems=[ProblemIn("ok"), ProblemIn("  ")]).index == 1


def test_a_problem_raised_later_gets_the_next_number_and_is_solved_once() -> None:
    huddle = given_huddle()
    assert huddle.raise_problem(ProblemIn("Sharps bin full")) == 3
    huddle.solve_problem(3, "Porter called")
    assert [type(e).__name__ for e in huddle.collect_events()] == ["ProblemRaised", "ProblemSolved"]
    for number in (1, 3):
        with pytest.raises(DomainError) as e:
            huddle.solve_problem(number, "again")
        assert e.value.code == "INVALID_STATE"
    with pytest.raises(DomainError) as e:
        huddle.solve_problem(9, "no such")
    assert e.value.code == "NOT_FOUND"


def test_a_problem_id_names_its_huddle() -> None:
    huddle_id = str(uuid4())
    assert problem_huddle(problem_id(huddle_id, 12)) == huddle_id
    assert problem_huddle(huddle_id) is None and problem_huddle("audit.3") is None
