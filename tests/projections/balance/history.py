"""Built event histories for the balance tests: aggregates' events stamped with the instant, actor, role and team
the log would record, applied through the projections the balance reads (catalog, planning, improvement, SPC,
balance)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import asyncpg
from eventsourcing.domain import Aggregate

from domain.assurance.audit import Audit, Criterion
from domain.control.feedback import Feedback
from domain.control.huddle import Huddle
from domain.control.measure import Measure, MeasureDefinition
from domain.improvement.cycle import CyclePlan, PdsaCycle, ProjectFacts
from domain.improvement.project import Project
from domain.planning.plan import Plan
from domain.planning.team import Team
from projections.balance import BalanceProjection
from projections.base import ProjectedEvent
from projections.catalog import CatalogProjection
from projections.improvement import ImprovementProjection
from projections.planning import PlanningProjection
from projections.spc.projection import SpcProjection
from service.bootstrap import CHART_NOTES, Services


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def weekdays(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)
            if (start + timedelta(days=i)).isoweekday() < 6]


class History:
    def __init__(self) -> None:
        self.events: list[ProjectedEvent] = []

    def add(self, aggregate: Aggregate, when: datetime, actor: str, role: str, team: str | None) -> None:
        for ev in aggregate.collect_events():
            self.events.append(ProjectedEvent(len(self.events) + 1, str(ev.originator_id), when, actor, ev, role,
                                              team))

    def team(self, name: str, created: date, parent: str | None = None) -> str:
        team = Team.create(team_id=uuid4(), name=name, parent_id=parent)
        self.add(team, at(created, 8), "admin", "ADMIN", str(team.id))
        return str(team.id)

    def measure(self, team: str, created: date, frequency: str = "DAY") -> Measure:
        m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition(
            team_id=team, name=f"Measure {len(self.events)}", kind="OUTCOME", direction="DECREASE",
            frequency=frequency))
        self.add(m, at(created, 8), "lead", "TEAM_LEADER", team)
        return m

    def observe(self, m: Measure, day: date, actor: str = "nurse", value: float | None = None) -> None:
        m.record_values([day.isoformat()], [float(day.day % 7) if value is None else value], None)
        self.add(m, at(day, 10), actor, "TEAM_MEMBER", m.definition.team_id)

    def approved_plan(self, team: str, year: int, day: date) -> None:
        plan = Plan.draft(plan_id=uuid4(), team_id=team, year=year, title="Plan", needs=[], measure_ids=[],
                          team_measures=(), drafted_by="lead", role="TEAM_LEADER")
        self.add(plan, at(day - timedelta(days=14)), "lead", "TEAM_LEADER", team)
        plan.submit("Agreed", "lead")
        self.add(plan, at(day - timedelta(days=7)), "lead", "TEAM_LEADER", team)
        plan.approve("Fits", "director", at(day).isoformat())
        self.add(plan, at(day), "director", "SENIOR_LEADER", team)

    def huddle(self, team: str, day: date) -> None:
        h = Huddle.hold(huddle_id=uuid4(), team_id=team, held_on=day, attendees=["nurse", "lead"], measure_ids=[],
                        team_measures=set(), problems=[], today=day)
        self.add(h, at(day, 8), "lead", "TEAM_LEADER", team)

    def feedback(self, team: str, day: date, person: str) -> None:
        f = Feedback.give(feedback_id=uuid4(), team_id=team, measure_id=None, rating=4, comment="Kind staff",
                          name=None, contact=None)
        self.add(f, at(day, 15), person, "SERVICE_USER", team)

    def audit(self, team: str, day: date, actor: str = "auditor", role: str = "SENIOR_CLINICIAN") -> None:
        a = Audit.create(audit_id=uuid4(), team_id=team, title="Falls audit", standard="NICE NG249",
                         criteria=[Criterion("Assessed within 24h", 0.9)], previous=None, created_by=actor)
        self.add(a, at(day, 11), actor, role, team)

    def project_(self, team: str, created: date, planned_end: date, outcome: Measure | None = None,
                 cycles: int = 0, closed: date | None = None, patient: str | None = None) -> Project:
        """An improvement project, with a PDSA cycle every fortnight from its start (`cycles` of them; every other
        one planned with a patient, when one is named)."""
        linked = [str(outcome.id)] if outcome else []
        p = Project.create(project_id=uuid4(), team_id=team, title="Fewer falls", aim="Halve falls at night",
                           measures=linked, linkable={m: "OUTCOME" for m in linked}, planned_end=planned_end,
                           created_by="lead")
        self.add(p, at(created), "lead", "TEAM_LEADER", team)
        for i in range(cycles):
            day = created + timedelta(days=14 * i + 1)
            c = PdsaCycle.plan(cycle_id=uuid4(), project=ProjectFacts(str(p.id), team, False, linked),
                               plan=CyclePlan("Night checks", "Fewer falls?", "Yes", day), previous=None,
                               previous_cycle_id=None)
            by = (patient, "SERVICE_USER") if patient and i % 2 else ("nurse", "TEAM_MEMBER")
            self.add(c, at(day), *by, team)
        if closed is not None:
            p.close("Done", ["Start small"], closed)
            self.add(p, at(closed), "lead", "TEAM_LEADER", team)
        return p

    @contextlib.asynccontextmanager
    async def applied(self, services: Services) -> AsyncIterator[asyncpg.Connection]:
        """A connection on which the history is applied, in a transaction rolled back afterwards: the session's
        database (shared by every test) keeps only what its log says."""
        ordered = sorted(self.events, key=lambda e: e.recorded_at)
        events = [ProjectedEvent(i + 1, e.stream_id, e.recorded_at, e.actor, e.event, e.role, e.team_id)
                  for i, e in enumerate(ordered)]
        async with services.pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                for projection in (CatalogProjection(), PlanningProjection(), ImprovementProjection(),
                                   SpcProjection(annotating=CHART_NOTES), BalanceProjection()):
                    await projection.handle(conn, events)
                yield conn
            finally:
                await transaction.rollback()
