"""The planning read model: the plan's fold (the same code `plan(asOf:)` runs) and supersession, which must
come out the same when the projection is rebuilt from the log."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from domain.planning.plan import MeasureLink, Plan, PlanContext, Revision
from projections.planning.plans import evolve
from service.bootstrap import Services
from service.eventstore.projection_runner import rebuild
from tests.conftest import Api
from tests.e2e.test_planning import Planner

AT = datetime(2025, 5, 1, 9, tzinfo=UTC)


def fold(plan: Plan) -> dict[str, object] | None:
    doc = None
    for event in plan.collect_events():
        doc = evolve(doc, event, AT)
    return doc


def test_a_plan_s_events_fold_into_its_document() -> None:
    plan = Plan.draft(plan_id=uuid4(), team_id="t", year=2025, title="Plan", needs=["Night falls"],
                      measure_ids=["m1"], team_measures={"m1"}, drafted_by="lead", role="TEAM_LEADER")
    plan.raise_need("Quiet room", "patient", "SERVICE_USER")
    plan.revise(Revision(reason="Workshop", pathway=["Admit", "Discharge"],
                         measures=[MeasureLink("m1", needs=("n2",))]), PlanContext(team_measures={"m1"}))
    plan.submit("Ready", "lead")
    plan.approve("Good", "director", AT.isoformat())
    doc = fold(plan)
    assert doc is not None
    assert (doc["status"], doc["approved_by"], doc["pathway"]) == ("APPROVED", "director", ["Admit", "Discharge"])
    assert [n["raised_by"] for n in doc["needs"]] == ["lead", "patient"]  # type: ignore[attr-defined]
    assert doc["revisions"] == [{"reason": "Workshop", "at": AT.isoformat(), "parts": ["measures", "pathway"]}]


def test_an_event_of_a_plan_never_drafted_folds_to_nothing() -> None:
    plan = Plan.draft(plan_id=uuid4(), team_id="t", year=2025, title="Plan", needs=[], measure_ids=[],
                      team_measures=(), drafted_by="lead", role="TEAM_LEADER")
    plan.collect_events()
    plan.submit("Ready", "lead")
    assert fold(plan) is None


async def test_a_rebuild_gives_the_same_plans_and_supersessions(api: Api, services: Services) -> None:
    p = Planner(api, await api.create_team("Rebuilt ward"))
    first = await p.approved_plan(title="First")
    second = await p.approved_plan(title="Second")
    await services.wait_for_projections(await services.store.head(), ("planning",))
    query = "SELECT plan_id, status, superseded_by, document FROM plans ORDER BY plan_id"
    async with services.pool.acquire() as conn:
        before = [tuple(r) for r in await conn.fetch(query)]
    assert (first, "SUPERSEDED", second) in [r[:3] for r in before]
    projection = next(x for x in services.projections if x.name == "planning")
    await rebuild(services.pool, projection)
    services.notifier.positions["planning"] = 0
    # a rebuild replays the whole session's log: wait on state, as long as that takes
    assert await services.notifier.wait_for(("planning",), await services.store.head(), timeout=300)
    async with services.pool.acquire() as conn:
        assert [tuple(r) for r in await conn.fetch(query)] == before
