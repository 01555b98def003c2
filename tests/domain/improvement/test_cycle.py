"""The PDSA cycle's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.control.vocabulary import AnnotationKind
from domain.errors import DomainError
from domain.improvement.cycle import CyclePlan, PdsaCycle, ProjectFacts

PROJECT = ProjectFacts("project-1", "team-1", False, ["m1", "m2"])


def given_cycle(project: ProjectFacts = PROJECT, previous: PdsaCycle | None = None, **plan: object) -> PdsaCycle:
    values: dict[str, object] = {"change_idea": "Intentional rounding", "question": "Does it cut falls?",
                                 "prediction": "Half as many falls", "start_period": date(2025, 6, 1)}
    values.update(plan)
    cycle = PdsaCycle.plan(cycle_id=uuid4(), project=project, plan=CyclePlan(**values),  # type: ignore[arg-type]
                           previous=previous, previous_cycle_id=str(previous.id) if previous else None)
    cycle.collect_events()
    return cycle


def then_events(cycle: PdsaCycle) -> list[str]:
    return [type(e).__name__ for e in cycle.collect_events()]


def code_of(work: object) -> str:
    with pytest.raises(DomainError) as e:
        work()  # type: ignore[operator]
    return e.value.code


def test_a_cycle_runs_plan_do_study_act_each_once() -> None:
    cycle = given_cycle()
    cycle.do("Ran it on nights")
    cycle.study("Fewer falls than predicted")
    cycle.act("ADAPT", "Add a checklist")
    assert then_events(cycle) == ["CycleDone", "CycleStudied", "CycleActed"]
    assert (cycle.stage, cycle.decision) == ("ACT", "ADAPT")


def test_a_study_before_its_do_is_invalid_state() -> None:
    assert code_of(lambda: given_cycle().study("too soon")) == "INVALID_STATE"


def test_an_act_before_its_study_is_invalid_state() -> None:
    cycle = given_cycle()
    cycle.do("done")
    assert code_of(lambda: cycle.act("ADOPT", None)) == "INVALID_STATE"


def test_a_second_act_is_invalid_state() -> None:
    cycle = given_cycle()
    cycle.do("done")
    cycle.study("studied")
    cycle.act("ADOPT", None)
    cycle.collect_events()
    assert code_of(lambda: cycle.act("ABANDON", None)) == "INVALID_STATE"
    assert then_events(cycle) == []


def test_a_cycle_on_a_closed_project_is_invalid_state() -> None:
    closed = ProjectFacts("project-1", "team-1", True, [])
    assert code_of(lambda: given_cycle(project=closed)) == "INVALID_STATE"
    assert code_of(lambda: given_cycle().do("x", project_closed=True)) == "INVALID_STATE"


def test_the_previous_cycle_must_be_one_of_the_same_project() -> None:
    other = given_cycle(project=ProjectFacts("project-2", "team-1", False, []))
    with pytest.raises(DomainError) as e:
        given_cycle(previous=other)
    assert (e.value.code, e.value.field) == ("INVALID", "previousCycleId")


def test_the_next_cycle_names_the_one_before() -> None:
    first = given_cycle()
    second = given_cycle(previous=first, change_idea="Rounding with a checklist")
    assert second.project_id == "project-1"


@pytest.mark.parametrize(("plan", "field"), [({"change_idea": " "}, "changeIdea"), ({"question": ""}, "question"),
                                             ({"prediction": ""}, "prediction"), ({"start_period": None},
                                                                                   "startPeriod")])
def test_a_plan_without_its_parts_is_invalid_for_that_field(plan: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as e:
        given_cycle(**plan)
    assert (e.value.code, e.value.field) == ("INVALID", field)


def test_the_planned_cycle_notes_the_project_s_measures_charts_at_its_start_period() -> None:
    cycle = PdsaCycle.plan(cycle_id=uuid4(), project=PROJECT, previous=None, previous_cycle_id=None,
                           plan=CyclePlan("Sensor mats", "Do they help?", "Yes", date(2025, 6, 1)))
    planned = cycle.collect_events()[0]
    measures, period, kind, text = planned.chart_annotation()  # type: ignore[attr-defined]
    assert (list(measures), period, kind) == (["m1", "m2"], "2025-06-01", AnnotationKind.PDSA)
    assert "Sensor mats" in text


def test_the_plan_is_detailed_only_while_it_is_a_plan() -> None:
    cycle = given_cycle()
    cycle.detail("Night staff", "Hourly rounding", "June", "Falls per night")
    assert then_events(cycle) == ["CyclePlanDetailed"]
    cycle.do("done")
    assert code_of(lambda: cycle.detail("x", None, None, None)) == "INVALID_STATE"
