"""The improvement read model: each aggregate's events fold into its document (the same fold `asOf` runs), and a
rebuild from the log gives the same documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.improvement.cycle import CyclePlan, PdsaCycle, ProjectFacts
from projections.improvement.folds import fold_of, replay
from service.bootstrap import Services
from service.eventstore.projection_runner import rebuild
from tests.conftest import Api
from tests.e2e.improvement_helpers import improver

AT = datetime(2025, 6, 1, 9, tzinfo=UTC)


def test_a_cycle_s_events_fold_into_its_document() -> None:
    cycle = PdsaCycle.plan(cycle_id=uuid4(), project=ProjectFacts("p1", "t1", False, ["m1"]), previous=None,
                           previous_cycle_id=None, plan=CyclePlan("Rounding", "Does it help?", "Yes",
                                                                  date(2025, 6, 1)))
    cycle.do("Done")
    cycle.study("Fewer falls")
    cycle.act("ADOPT", "Keep it")
    events = cycle.collect_events()
    fold = fold_of(events[0])
    assert fold is not None and fold.kind == "cycle"
    doc = replay(fold, [(e, AT, "sam") for e in events])
    assert doc is not None
    assert (doc["stage"], doc["decision"], doc["measure_ids"], doc["do"]["text"]) == ("ACT", "ADOPT", ["m1"], "Done")


async def test_a_rebuild_gives_the_same_documents(api: Api, services: Services) -> None:
    t = await improver(api, "Rebuilt improvement ward")
    project = (await t.create_project([]))["project"]["id"]
    await t.full_cycle(project, "Rounding", "2025-06-01", "ADAPT")
    await services.wait_for_projections(await services.store.head(), ("improvement",))
    query = "SELECT id, kind, team_id, project_id, document FROM improvement_documents ORDER BY id"
    async with services.pool.acquire() as conn:
        before = [tuple(r) for r in await conn.fetch(query)]
    assert {r[1] for r in before} >= {"project", "cycle"}
    projection = next(x for x in services.projections if x.name == "improvement")
    await rebuild(services.pool, projection)
    services.notifier.positions["improvement"] = 0
    # a rebuild replays the whole session's log: wait on state, as long as that takes
    assert await services.notifier.wait_for(("improvement",), await services.store.head(), timeout=300)
    async with services.pool.acquire() as conn:
        assert [tuple(r) for r in await conn.fetch(query)] == before
