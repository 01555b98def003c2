"""The Fishbone aggregate's rules, Given/When/Then. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.assurance.fishbone import DEFAULT_CATEGORIES, Fishbone
from domain.errors import InvalidInput


def given_diagram() -> Fishbone:
    diagram = Fishbone.draw(diagram_id=uuid4(), team_id="t", effect="Falls at night", categories=None,
                            drawn_by="lead")
    diagram.add_cause("c1", "People", "Fewer staff at night")
    diagram.collect_events()
    return diagram


def test_a_diagram_without_categories_gets_the_six_usual_ones() -> None:
    assert given_diagram().categories == list(DEFAULT_CATEGORIES)


def test_a_sub_cause_stays_in_its_parent_s_category() -> None:
    diagram = given_diagram()
    diagram.add_cause("c2", "People", "Breaks not covered", "c1")
    with pytest.raises(InvalidInput) as e:
        diagram.add_cause("c3", "Methods", "x", "c1")
    assert e.value.field == "category"
    assert [type(e).__name__ for e in diagram.collect_events()] == ["CauseAdded"]


def test_removing_a_cause_removes_its_sub_causes() -> None:
    diagram = given_diagram()
    diagram.add_cause("c2", "People", "Breaks not covered", "c1")
    diagram.add_cause("c3", "People", "No float nurse", "c2")
    diagram.remove_cause("c1")
    assert diagram.collect_events()[-1].cause_ids == ["c1", "c2", "c3"]  # type: ignore[attr-defined]
    assert diagram.causes == {}


def test_a_link_is_to_a_finding_a_signal_or_a_project() -> None:
    diagram = given_diagram()
    with pytest.raises(InvalidInput) as e:
        diagram.link("MEETING", "x")
    assert e.value.field == "kind"
    diagram.link("FINDING", "f1")
    assert [type(e).__name__ for e in diagram.collect_events()] == ["DiagramLinked"]
