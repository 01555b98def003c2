"""The driver diagram's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.driver_diagram import DriverDiagram


def given_diagram() -> DriverDiagram:
    d = DriverDiagram.draw(diagram_id=uuid4(), project_id="p1", team_id="t1", aim="30% fewer falls",
                           project_closed=False)
    d.collect_events()
    return d


def error_of(work: object) -> DomainError:
    with pytest.raises(DomainError) as e:
        work()  # type: ignore[operator]
    return e.value


def test_drivers_hang_one_level_down_and_change_ideas_from_drivers() -> None:
    d = given_diagram()
    primary = d.add("PRIMARY", "Safe environment", ["aim"])
    secondary = d.add("SECONDARY", "Call bells in reach", [primary])
    idea = d.add("CHANGE_IDEA", "Intentional rounding", [secondary, primary])
    assert (primary, secondary, idea) == ("n1", "n2", "n3")
    assert [type(e).__name__ for e in d.collect_events()] == ["DriverAdded"] * 3
    e = error_of(lambda: d.add("SECONDARY", "Skips a level", ["aim"]))
    assert (e.code, e.field, e.index) == ("INVALID", "parentIds", 0)
    assert error_of(lambda: d.add("PRIMARY", "No parent", [])).field == "parentIds"


def test_a_node_with_children_is_not_removed_and_a_node_keeps_one_parent() -> None:
    d = given_diagram()
    primary = d.add("PRIMARY", "Staffing", ["aim"])
    secondary = d.add("SECONDARY", "Night cover", [primary])
    assert error_of(lambda: d.remove(primary)).code == "INVALID_STATE"
    assert error_of(lambda: d.unlink(secondary, primary)).code == "INVALID_STATE"
    d.remove(secondary)
    d.remove(primary)
    assert error_of(lambda: d.reword(primary, "gone")).field == "nodeId"


def test_a_change_idea_is_linked_to_cycles_of_its_own_project_once_each() -> None:
    d = given_diagram()
    primary = d.add("PRIMARY", "Staffing", ["aim"])
    idea = d.add("CHANGE_IDEA", "Rounding", [primary])
    d.tested_by(idea, "c1", "p1")
    assert error_of(lambda: d.tested_by(idea, "c1", "p1")).code == "INVALID_STATE"
    assert error_of(lambda: d.tested_by(idea, "c2", "p2")).field == "cycleId"
    assert error_of(lambda: d.tested_by(primary, "c3", "p1")).field == "nodeId"


def test_a_closed_project_gets_no_new_diagram() -> None:
    e = error_of(lambda: DriverDiagram.draw(diagram_id=uuid4(), project_id="p", team_id="t", aim="x",
                                            project_closed=True))
    assert e.code == "INVALID_STATE"
