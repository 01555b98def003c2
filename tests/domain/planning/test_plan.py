"""The Plan aggregate's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError, Forbidden, InvalidInput
from domain.planning.plan import Commissioning, MeasureLink, Plan, PlanContext, Revision

AT = "2025-05-01T09:00:00+00:00"


def given_draft(**fields: object) -> Plan:
    values: dict[str, object] = {"team_id": "team-1", "year": 2025, "title": "Ward 7 plan 2025/26",
                                 "needs": ["Fewer falls at night"], "measure_ids": ["m1"],
                                 "team_measures": {"m1", "m2"}, "drafted_by": "lead", "role": "TEAM_LEADER"}
    values.update(fields)
    plan = Plan.draft(plan_id=uuid4(), **values)  # type: ignore[arg-type]
    plan.collect_events()
    return plan


def given_submitted() -> Plan:
    plan = given_draft()
    plan.submit("Ready for the board", "lead")
    plan.collect_events()
    return plan


def then_events(plan: Plan) -> list[str]:
    return [type(e).__name__ for e in plan.collect_events()]


def test_a_draft_records_its_needs_with_who_raised_them() -> None:
    plan = Plan.draft(plan_id=uuid4(), team_id="t", year=2025, title=" Plan ", needs=["Night falls"],
                      measure_ids=[], team_measures=(), drafted_by="lead", role="TEAM_LEADER")
    assert then_events(plan) == ["PlanDrafted"]
    assert (plan.status, plan.title) == ("DRAFT", "Plan")
    assert plan.needs == [{"id": "n1", "text": "Night falls", "raised_by": "lead", "role": "TEAM_LEADER"}]


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_range_is_invalid(year: int) -> None:
    with pytest.raises(InvalidInput) as e:
        given_draft(year=year)
    assert (e.value.code, e.value.field) == ("INVALID", "year")


def test_an_empty_title_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_draft(title="  ")
    assert (e.value.code, e.value.field) == ("INVALID", "title")


def test_a_measure_of_another_team_is_invalid_with_its_index() -> None:
    with pytest.raises(InvalidInput) as e:
        given_draft(measure_ids=["m1", "elsewhere"])
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "measureIds", 1)


def test_a_draft_is_submitted_then_approved_with_who_and_why() -> None:
    plan = given_draft()
    plan.submit("Agreed by the team", "lead")
    plan.approve("Meets the strategy", "director", AT)
    assert then_events(plan) == ["PlanSubmitted", "PlanApproved"]
    assert (plan.status, plan.approved_by, plan.approved_at, plan.decision_reason) == (
        "APPROVED", "director", AT, "Meets the strategy")


def test_approving_a_draft_is_an_invalid_state_and_records_nothing() -> None:
    plan = given_draft()
    with pytest.raises(DomainError) as e:
        plan.approve("Looks fine", "director", AT)
    assert e.value.code == "INVALID_STATE"
    assert then_events(plan) == []


def test_a_submitted_plan_is_not_submitted_again_nor_revised() -> None:
    plan = given_submitted()
    for attempt in (lambda: plan.submit("again", "lead"),
                    lambda: plan.revise(Revision(reason="late change", title="New"), PlanContext())):
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.code == "INVALID_STATE"
    assert then_events(plan) == []


def test_an_approval_needs_a_reason() -> None:
    plan = given_submitted()
    with pytest.raises(InvalidInput) as e:
        plan.approve(" ", "director", AT)
    assert e.value.field == "reason"


def test_a_revision_sets_pathway_commissioning_structures_and_linked_measures() -> None:
    plan = given_draft()
    plan.revise(Revision(reason="Workshop with patients", pathway=["Referral", "Assessment", "Discharge"],
                         commissioning=Commissioning("North ICB", "SPEC-042", ("Falls under 5 per 1,000",)),
                         structures=["Weekly huddle"], reviewers=["matron"],
                         measures=[MeasureLink("m2", needs=("n1",), priorities=("SAFE",))]),
                PlanContext(team_measures={"m1", "m2"}, priorities={"SAFE"}))
    assert then_events(plan) == ["PlanRevised"]
    assert plan.pathway == ["Referral", "Assessment", "Discharge"]
    assert plan.commissioning == {"commissioner": "North ICB", "reference": "SPEC-042",
                                  "requirements": ["Falls under 5 per 1,000"]}
    assert plan.measures == [{"measure_id": "m2", "needs": ["n1"], "priorities": ["SAFE"]}]


def test_a_measure_linked_to_an_unknown_priority_is_invalid_with_its_index() -> None:
    plan = given_draft()
    with pytest.raises(InvalidInput) as e:
        plan.revise(Revision(reason="r", measures=[MeasureLink("m1"), MeasureLink("m2", priorities=("NOPE",))]),
                    PlanContext(team_measures={"m1", "m2"}, priorities={"SAFE"}))
    assert (e.value.code, e.value.field, e.value.index) == ("INVALID", "priorities", 1)
    assert then_events(plan) == []


def test_a_measure_linked_to_an_unknown_need_is_invalid() -> None:
    plan = given_draft()
    with pytest.raises(InvalidInput) as e:
        plan.revise(Revision(reason="r", measures=[MeasureLink("m1", needs=("n9",))]),
                    PlanContext(team_measures={"m1"}))
    assert (e.value.field, e.value.index) == ("needs", 0)


def test_a_service_user_raises_a_need_on_a_draft_but_not_after_submission() -> None:
    plan = given_draft()
    assert plan.raise_need("Evening clinics for working carers", "patient-3", "SERVICE_USER") == "n2"
    assert then_events(plan) == ["NeedRaised"]
    assert plan.needs[-1]["raised_by"] == "patient-3"
    plan.submit("ready", "lead")
    with pytest.raises(DomainError) as e:
        plan.raise_need("Too late", "patient-3", "SERVICE_USER")
    assert e.value.code == "INVALID_STATE"


def test_only_a_named_reviewer_reviews() -> None:
    plan = given_draft()
    plan.revise(Revision(reason="Name the reviewers", reviewers=["matron"]), PlanContext())
    plan.collect_events()
    with pytest.raises(Forbidden):
        plan.review("someone-else", "SUPPORTED", "Fine", AT)
    plan.review("matron", "CHANGES_REQUESTED", "Add a balancing measure", AT)
    assert then_events(plan) == ["PlanReviewed"]
    assert plan.reviews[0]["verdict"] == "CHANGES_REQUESTED"


def test_comments_are_kept_in_any_state() -> None:
    plan = given_submitted()
    plan.comment("Please include the night shift", "patient-3", "SERVICE_USER", AT)
    assert then_events(plan) == ["PlanCommented"]
    assert plan.comments[0]["author"] == "patient-3"


def test_replaying_the_events_rebuilds_the_same_plan() -> None:
    plan = given_draft()
    plan.raise_need("Night falls review", "nurse", "TEAM_MEMBER")
    plan.submit("ready", "lead")
    plan.approve("ok", "director", AT)
    events = plan.collect_events()
    replayed = None
    for e in [*Plan.draft(plan_id=plan.id, team_id="team-1", year=2025, title="Ward 7 plan 2025/26",
                          needs=["Fewer falls at night"], measure_ids=["m1"], team_measures={"m1"},
                          drafted_by="lead", role="TEAM_LEADER").collect_events(), *events]:
        replayed = e.mutate(replayed)
    assert replayed is not None
    assert (replayed.status, replayed.needs, replayed.approved_by) == ("APPROVED", plan.needs, "director")
