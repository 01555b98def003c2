"""Process flow charts: steps, decisions and connections, and a future state drawn from a current one. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.flowchart import Flowchart


def given_chart(state: str = "CURRENT", based_on: Flowchart | None = None) -> Flowchart:
    f = Flowchart.draw(flowchart_id=uuid4(), team_id="t", project_id=None, title="Discharge", state=state,
                       based_on=based_on, based_on_id=str(based_on.id) if based_on else None)
    f.collect_events()
    return f


def test_steps_and_decisions_are_connected_with_labelled_branches() -> None:
    f = given_chart()
    start, check, end = f.add_step("START", "Patient fit"), f.add_step("DECISION", "TTO ready?"), f.add_step(
        "END", "Home")
    f.connect(start, check, None)
    f.connect(check, end, "yes")
    assert f.connections == {("s1", "s2"): None, ("s2", "s3"): "yes"}
    for bad in ((end, start), (check, check), ("s9", end)):
        with pytest.raises(DomainError):
            f.connect(*bad, None)


def test_removing_a_step_removes_its_connections() -> None:
    f = given_chart()
    a, b = f.add_step("STEP", "a"), f.add_step("STEP", "b")
    f.connect(a, b, None)
    f.remove_step(b)
    assert f.connections == {}


def test_a_future_state_starts_as_a_copy_of_a_current_state() -> None:
    current = given_chart()
    a, b = current.add_step("STEP", "a"), current.add_step("STEP", "b")
    current.connect(a, b, None)
    future = given_chart("FUTURE", current)
    assert (future.steps, future.connections) == (current.steps, current.connections)
    assert future.add_step("STEP", "c") == "s3"
    with pytest.raises(DomainError) as e:
        given_chart("FUTURE", future)
    assert e.value.field == "basedOnId"
