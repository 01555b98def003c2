"""The improvement project's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.project import Charter, Project

LINKABLE = {"m-outcome": "OUTCOME", "m-process": "PROCESS", "m-balance": "BALANCING"}


def given_project(measures: list[str] | None = None, **fields: object) -> Project:
    values: dict[str, object] = {"project_id": uuid4(), "team_id": "team-1", "title": "Fewer falls",
                                 "aim": "Cut falls by 30% by March", "measures": measures or [],
                                 "linkable": LINKABLE, "planned_end": date(2026, 3, 31), "created_by": "leader"}
    values.update(fields)
    project = Project.create(**values)  # type: ignore[arg-type]
    project.collect_events()
    return project


def then_events(project: Project) -> list[str]:
    return [type(e).__name__ for e in project.collect_events()]


def test_linked_measures_take_their_role_from_their_kind() -> None:
    project = given_project(["m-outcome", "m-process", "m-balance"])
    assert [m["role"] for m in project.measures] == ["OUTCOME", "PROCESS", "BALANCING"]


def test_a_measure_the_project_may_not_link_is_invalid_with_its_index() -> None:
    with pytest.raises(DomainError) as e:
        given_project(["m-outcome", "someone-elses"])
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "measureIds", 1)


def test_a_measure_listed_twice_is_invalid() -> None:
    with pytest.raises(DomainError) as e:
        given_project(["m-outcome", "m-outcome"])
    assert (e.value.field, e.value.index) == ("measureIds", 1)


def test_the_charter_is_revised_with_a_reason() -> None:
    project = given_project()
    project.revise_charter(Charter(reason="Scoping workshop", problem="Falls at night", scope="Ward 7 only",
                                   target="Below 4 per 1,000 bed days", target_date=date(2026, 3, 1)))
    events = project.collect_events()
    assert [type(e).__name__ for e in events] == ["CharterRevised"]
    assert sorted(events[0].changes) == ["problem", "scope", "target", "target_date"]  # type: ignore[attr-defined]


def test_a_revision_that_changes_nothing_is_invalid() -> None:
    with pytest.raises(DomainError):
        given_project().revise_charter(Charter(reason="Nothing"))


def test_the_team_includes_service_users_once_each() -> None:
    project = given_project()
    project.add_member("pat", "Pat (patient representative)", "SERVICE_USER")
    assert then_events(project) == ["ProjectMemberJoined"]
    with pytest.raises(DomainError) as e:
        project.add_member("pat", "Pat", "CARER")
    assert e.value.field == "subject"


def test_stages_move_with_a_reason_and_not_to_where_they_are() -> None:
    project = given_project()
    project.move_to("TESTING", "First cycles planned")
    assert project.stage == "TESTING"
    with pytest.raises(DomainError) as e:
        project.move_to("TESTING", "again")
    assert e.value.code == "INVALID_STATE"


def test_a_closed_project_changes_no_more() -> None:
    project = given_project()
    project.close("It worked", ["Start small"], date(2026, 3, 1))
    assert then_events(project) == ["ProjectClosed"]
    for work in (lambda: project.close("again", ["x"], date(2026, 3, 2)), lambda: project.sponsor_by("director"),
                 lambda: project.move_to("SUSTAIN", "x")):
        with pytest.raises(DomainError) as e:
            work()
        assert e.value.code == "INVALID_STATE"


def test_a_project_closes_with_at_least_one_lesson() -> None:
    with pytest.raises(DomainError) as e:
        given_project().close("Done", [], date(2026, 3, 1))
    assert e.value.field == "lessonsLearned"


def test_the_model_for_improvement_answers_three_questions() -> None:
    project = given_project()
    project.state_model("Fewer falls", "Falls per 1,000 bed days", ["Rounding", "Sensor mats"])
    assert then_events(project) == ["ModelForImprovementStated"]
