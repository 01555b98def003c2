"""Balance reads: a team's (with its sub-teams') or the organisation's activity in the four aspects over a window,
who took part and in which role, the activity by week, month or year, and the rhythm indicators
(projections/balance/rhythm.py), for one scope or for every team at once (the organisation view)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg
import orjson

from domain.aspects import Aspect
from domain.errors import InvalidInput
from projections.balance import rhythm
from projections.balance.rhythm import Facts, Indicator
from projections.spc import document
from service.auth.identity import Principal, Role
from service.auth.permissions import allowed, authorize
from service.bootstrap import Services
from service.clock import today as today_in

ORGANISATION = ""      # the balance tables' team_id for events that concern no team
ASSURANCE_MARKS = ["AuditCreated", "InspectionRecorded"]
UNITS = {"WEEK": "week", "MONTH": "month", "YEAR": "year"}


@dataclass(frozen=True, slots=True)
class AspectActivity:
    aspect: Aspect
    events: int
    share: float
    people: int
    service_users: int


@dataclass(frozen=True, slots=True)
class RoleContribution:
    role: str
    aspect: Aspect
    events: int
    people: int


@dataclass(frozen=True, slots=True)
class PeriodActivity:
    start: date
    aspects: list[AspectActivity]


@dataclass(frozen=True, slots=True)
class BalanceView:
    team_id: str | None
    start: date
    end: date
    aspects: list[AspectActivity]
    indicators: list[Indicator]
    score: float | None
    profile: list[str]


def activities(events: dict[Aspect, int], people: dict[Aspect, int], users: dict[Aspect, int]) -> list[AspectActivity]:
    total = sum(events.values())
    return [AspectActivity(a, events.get(a, 0), events.get(a, 0) / total if total else 0.0, people.get(a, 0),
                           users.get(a, 0)) for a in Aspect]


def planning_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


async def scope_of(conn: asyncpg.Connection, team_id: str | None) -> list[str]:
    """The team and every team under it; None: every team and the organisation's own events."""
    if team_id is None:
        return [ORGANISATION, *[r[0] for r in await conn.fetch("SELECT team_id FROM teams")]]
    rows = await conn.fetch("WITH RECURSIVE sub AS (SELECT team_id FROM teams WHERE team_id = $1 UNION "
                            "SELECT t.team_id FROM teams t JOIN sub ON t.parent_id = sub.team_id) "
                            "SELECT team_id FROM sub", team_id)
    return [r[0] for r in rows]


def _groups(groups: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    pairs = [(k, t) for k, teams in groups.items() for t in teams]
    return [p[0] for p in pairs], [p[1] for p in pairs]


_G = "WITH g(k, t) AS (SELECT * FROM unnest($1::text[], $2::text[])) "


async def activity_of(conn: asyncpg.Connection, groups: dict[str, list[str]], start: date, end: date
                      ) -> dict[str, list[AspectActivity]]:
    keys, teams = _groups(groups)
    events: dict[str, dict[Aspect, int]] = defaultdict(dict)
    people: dict[str, dict[Aspect, int]] = defaultdict(dict)
    users: dict[str, dict[Aspect, int]] = defaultdict(dict)
    for k, aspect, n in await conn.fetch(
            _G + "SELECT g.k, e.aspect, sum(e.events) FROM g JOIN balance_activity e ON e.team_id = g.t "
            "WHERE e.day >= $3 AND e.day < $4 GROUP BY 1, 2", keys, teams, start, end):
        events[k][Aspect(aspect)] = int(n)
    for k, aspect, n, u in await conn.fetch(
            _G + "SELECT g.k, p.aspect, count(DISTINCT p.actor), count(DISTINCT p.actor) FILTER "
            "(WHERE p.role = 'SERVICE_USER') FROM g JOIN balance_activity p ON p.team_id = g.t "
            "WHERE p.day >= $3 AND p.day < $4 GROUP BY 1, 2", keys, teams, start, end):
        people[k][Aspect(aspect)], users[k][Aspect(aspect)] = n, u
    return {k: activities(events[k], people[k], users[k]) for k in groups}


async def contribution_of(conn: asyncpg.Connection, teams: list[str], start: date, end: date
                          ) -> list[RoleContribution]:
    """Which roles took part in which aspect: every role of the service, each aspect (zeros included), so a
    leader sees who takes no part."""
    found = {(r, Aspect(a)): (int(e), p) for r, a, e, p in await conn.fetch(
        "SELECT role, aspect, sum(events), count(DISTINCT actor) FROM balance_activity WHERE team_id = ANY($1) "
        "AND day >= $2 AND day < $3 GROUP BY 1, 2", teams, start, end)}
    roles = [r.value for r in Role if r is not Role.INTEGRATION] + sorted(
        {r for r, _ in found if r not in Role.__members__ or r == Role.INTEGRATION.value})
    return [RoleContribution(r, a, *found.get((r, a), (0, 0))) for r in roles for a in Aspect]


async def periods_of(conn: asyncpg.Connection, teams: list[str], start: date, end: date, unit: str
                     ) -> list[PeriodActivity]:
    trunc = UNITS[unit]
    events: dict[date, dict[Aspect, int]] = defaultdict(dict)
    people: dict[date, dict[Aspect, int]] = defaultdict(dict)
    users: dict[date, dict[Aspect, int]] = defaultdict(dict)
    for p, aspect, n in await conn.fetch(
            f"SELECT date_trunc('{trunc}', day)::date, aspect, sum(events) FROM balance_activity "
            "WHERE team_id = ANY($1) AND day >= $2 AND day < $3 GROUP BY 1, 2", teams, start, end):
        events[p][Aspect(aspect)] = int(n)
    for p, aspect, n, u in await conn.fetch(
            f"SELECT date_trunc('{trunc}', day)::date, aspect, count(DISTINCT actor), count(DISTINCT actor) "
            "FILTER (WHERE role = 'SERVICE_USER') FROM balance_activity WHERE team_id = ANY($1) AND day >= $2 "
            "AND day < $3 GROUP BY 1, 2", teams, start, end):
        people[p][Aspect(aspect)], users[p][Aspect(aspect)] = n, u
    return [PeriodActivity(p, activities(events[p], people[p], users[p])) for p in sorted(events)]


def working_days(start: date, end: date) -> int:
    return sum(1 for i in range((end - start).days) if (start + timedelta(days=i)).isoweekday() < 6)


async def facts_of(conn: asyncpg.Connection, groups: dict[str, list[str]], start: date, end: date,
                   activity: dict[str, list[AspectActivity]]) -> dict[str, Facts]:
    """The indicators' facts for each group of teams over [start, end); `end` no later than tomorrow."""
    keys, teams = _groups(groups)
    year = planning_year(end - timedelta(days=1))
    end_at = datetime.combine(end, time(), tzinfo=UTC)
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for k, control_days, huddles, last_year, year_before in await conn.fetch(
            _G + "SELECT g.k, count(DISTINCT e.day) FILTER (WHERE e.aspect = 'CONTROL' AND e.day >= $3 "
            "AND extract(isodow FROM e.day) < 6), coalesce(sum(e.events) FILTER (WHERE e.event_type = 'HuddleHeld' "
            "AND e.day >= $3), 0), coalesce(sum(e.events) FILTER (WHERE e.event_type = ANY($5) "
            "AND e.day >= $4::date - 365), 0), coalesce(sum(e.events) FILTER (WHERE e.event_type = ANY($5) "
            "AND e.day < $4::date - 365), 0) FROM g JOIN balance_activity e ON e.team_id = g.t "
            "WHERE e.day >= least($3::date, $4::date - 730) AND e.day < $4 GROUP BY 1", keys, teams, start, end,
            ASSURANCE_MARKS):
        counts[k].update(control_days=control_days, huddles=huddles, last_year=last_year, year_before=year_before)
    for k, n_teams, with_plan, last_approved in await conn.fetch(
            _G + "SELECT g.k, count(DISTINCT g.t) FILTER (WHERE g.t <> '' AND tm.created_at < $4 AND (p.team_id IS NOT "
            "NULL OR NOT EXISTS (SELECT 1 FROM teams c WHERE c.parent_id = g.t))), "
            "count(DISTINCT p.team_id) FILTER (WHERE p.year = $3), max(p.approved_at) "
            "FROM g LEFT JOIN teams tm ON tm.team_id = g.t LEFT JOIN LATERAL (SELECT team_id, year, "
            "(document->>'approved_at')::timestamptz AS approved_at FROM plans WHERE plans.team_id = g.t "
            "AND document->>'approved_at' IS NOT NULL AND (document->>'approved_at')::timestamptz < $4) p "
            "ON true GROUP BY 1", keys, teams, year, end_at):
        counts[k].update(teams=n_teams, with_plan=with_plan)
        if last_approved is not None:
            counts[k]["months"] = (end_at - last_approved).total_seconds() / (86400 * 365.25 / 12)
    for k, frequency, created, last in await conn.fetch(
            _G + "SELECT g.k, m.frequency, m.created_at, (SELECT max(day) FROM balance_measure_days d "
            "WHERE d.measure_id = m.measure_id AND d.day < $3) FROM g JOIN measures m ON m.team_id = g.t "
            "WHERE m.created_at < $4", keys, teams, end, end_at):
        since = last or created.date()
        counts[k]["measures"] += 1
        counts[k]["overdue"] += (end - since).days > rhythm.DATA_ALLOWANCE_DAYS.get(frequency, 45)
    acks: dict[str, list[float]] = defaultdict(list)
    for k, minutes in await conn.fetch(
            _G + "SELECT g.k, extract(epoch FROM min(s.at) - e.raised_at) / 60 FROM g JOIN escalations e "
            "ON e.team_id = g.t JOIN escalation_steps s ON s.escalation_id = e.escalation_id "
            "AND s.kind = 'ACKNOWLEDGED' AND s.at < $4 WHERE e.raised_at >= $3 AND e.raised_at < $4 "
            "GROUP BY g.k, e.escalation_id, e.raised_at",
            keys, teams, datetime.combine(start, time(), tzinfo=UTC), end_at):
        acks[k].append(float(minutes))
    for k, due, on_time in await conn.fetch(
            _G + "SELECT g.k, count(*), count(*) FILTER (WHERE a.status = 'DONE' AND a.closed_at < $4 "
            "AND a.closed_at::date <= a.due_date) FROM g JOIN assurance_findings f ON f.team_id = g.t "
            "JOIN actions a ON a.source_id = f.id WHERE a.due_date < $3 AND a.due_date >= $3::date - 365 "
            "GROUP BY 1", keys, teams, end, end_at):
        counts[k].update(findings_due=due, findings_on_time=on_time)
    improvement = await improvement_of(conn, keys, teams, start, end)
    days = working_days(start, end)
    out = {}
    for k in groups:
        c = counts[k]
        out[k] = Facts(
            start=start, end=end, planning_year=year, events={a.aspect: a.events for a in activity[k]},
            teams=int(c["teams"]), teams_with_plan=int(c["with_plan"]), months_since_plan=c.get("months"),
            working_days=days, control_days=int(c["control_days"]), measures=int(c["measures"]),
            measures_overdue=int(c["overdue"]), ack_minutes=acks[k], huddles=int(c["huddles"]),
            assurance_last_year=int(c["last_year"]), assurance_year_before=int(c["year_before"]),
            findings_due=int(c["findings_due"]), findings_on_time=int(c["findings_on_time"]),
            **improvement.get(k, {}))
    return out


IMPROVING = ("IMPROVEMENT_HIGH", "IMPROVEMENT_LOW")


async def improvement_of(conn: asyncpg.Connection, keys: list[str], teams: list[str], start: date, end: date
                         ) -> dict[str, dict[str, Any]]:
    """Projects open at `end` (created before it, not closed by then), their planned and actual durations, PDSA
    cycles planned in the window, and whether an active project's outcome measure is charted as improving now."""
    start_at, end_at = (datetime.combine(d, time(), tzinfo=UTC) for d in (start, end))
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"active_projects": 0, "overrunning": 0,
                                                          "duration_ratios": [], "cycles": 0, "project_months": 0.0,
                                                          "improving": 0})
    outcomes: dict[str, list[str]] = defaultdict(list)
    for k, created_at, planned, closed, measures in await conn.fetch(
            _G + "SELECT g.k, (d.document->>'created_at')::timestamptz, (d.document->>'planned_end')::date, "
            "(d.document->>'closed_on')::date, d.document->'measures' FROM g JOIN improvement_documents d "
            "ON d.team_id = g.t AND d.kind = 'project' WHERE (d.document->>'created_at')::timestamptz < $3",
            keys, teams, end_at):
        created = created_at.date()
        open_at_end = closed is None or closed >= end
        if not open_at_end and (end - closed).days > 365:
            continue
        o = out[k]
        stop = end if open_at_end else closed
        if planned is not None and planned > created:
            o["duration_ratios"].append((stop - created).days / (planned - created).days)
        if open_at_end:
            o["active_projects"] += 1
            o["overrunning"] += planned is not None and planned < end
            outcomes[k].extend(m["measure_id"] for m in orjson.loads(measures) if m.get("role") == "OUTCOME")
        first, last = max(created, start), min(stop, end)
        o["project_months"] += max((last - first).days, 0) / (365.25 / 12)
    for k, n in await conn.fetch(
            _G + "SELECT g.k, count(*) FROM g JOIN improvement_documents d ON d.team_id = g.t AND d.kind = 'cycle' "
            "WHERE (d.document->>'planned_at')::timestamptz >= $3 AND (d.document->>'planned_at')::timestamptz < $4 "
            "GROUP BY 1", keys, teams, start_at, end_at):
        out[k]["cycles"] = n
    measure_ids = sorted({m for ms in outcomes.values() for m in ms})
    if measure_ids:
        improving = {m for m, chart in (await document.read(conn, measure_ids)).items()
                     if chart.variation_icon in IMPROVING}
        for k, ms in outcomes.items():
            out[k]["improving"] = sum(m in improving for m in ms)
    return out


def clip(start: date, end: date, today: date) -> tuple[date, date]:
    """The window as far as it has happened: the indicators judge [start, min(end, tomorrow))."""
    end = min(end, today + timedelta(days=1))
    return start, max(end, start)


async def balances(conn: asyncpg.Connection, groups: dict[str, list[str]], start: date, end: date, today: date
                   ) -> dict[str, BalanceView]:
    activity = await activity_of(conn, groups, start, end)
    s, e = clip(start, end, today)
    facts = await facts_of(conn, groups, s, e, activity)
    out = {}
    for k in groups:
        found = rhythm.indicators(facts[k])
        events = {a.aspect: a.events for a in activity[k]}
        users = {a.aspect: a.service_users for a in activity[k]}
        out[k] = BalanceView(k or None, start, end, activity[k], found, rhythm.score(found),
                             rhythm.profile(events, users, found))
    return out


def check_window(start: date, end: date) -> None:
    if end <= start:
        raise InvalidInput("`to` must be after `from`.", field="to")
    if (end - start).days > 366 * 10:
        raise InvalidInput("A balance covers at most ten years.", field="to")


async def balance(services: Services, principal: Principal, team_id: str | None, start: date, end: date
                  ) -> BalanceView | None:
    """The balance of a team (and its sub-teams), or with team_id None of the whole organisation; None for a team
    that does not exist."""
    check_window(start, end)
    authorize(principal, "balance.organisation.read" if team_id is None else "balance.read", team_id)
    today = today_in(services.settings.time_zone)
    async with services.pool.acquire() as conn:
        teams = await scope_of(conn, team_id)
        if not teams:
            return None
        return (await balances(conn, {team_id or ORGANISATION: teams}, start, end, today))[team_id or ORGANISATION]


async def contribution(services: Services, principal: Principal, team_id: str | None, start: date, end: date
                       ) -> list[RoleContribution]:
    authorize(principal, "balance.organisation.read" if team_id is None else "balance.read", team_id)
    async with services.pool.acquire() as conn:
        return await contribution_of(conn, await scope_of(conn, team_id), start, end)


async def periods(services: Services, principal: Principal, team_id: str | None, start: date, end: date,
                  unit: str) -> list[PeriodActivity]:
    authorize(principal, "balance.organisation.read" if team_id is None else "balance.read", team_id)
    async with services.pool.acquire() as conn:
        return await periods_of(conn, await scope_of(conn, team_id), start, end, unit)


def quarters_before(end: date, n: int = 4) -> list[tuple[date, date]]:
    """The n calendar quarters up to the one holding the day before `end`, oldest first."""
    last = end - timedelta(days=1)
    q = (last.year * 4 + (last.month - 1) // 3)
    out = []
    for i in range(q - n + 1, q + 1):
        y, m = divmod(i, 4)
        start = date(y, m * 3 + 1, 1)
        ny, nm = divmod(i + 1, 4)
        out.append((start, date(ny, nm * 3 + 1, 1)))
    return out


def subtrees(parents: dict[str, str | None]) -> dict[str, list[str]]:
    """Each team with every team under it."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for team, parent in parents.items():
        children[parent].append(team)
    out = {}
    for team in parents:
        found, todo = [], [team]
        while todo:
            t = todo.pop()
            found.append(t)
            todo.extend(c for c in children.get(t, ()) if c not in found)
        out[team] = found
    return out


@dataclass(frozen=True, slots=True)
class TeamBalance:
    team_id: str
    name: str
    rank: int
    balance: BalanceView
    drivers: list[Indicator]     # the indicators that pull the score down, worst first
    trend: list[tuple[date, date, float | None]]   # the score in each of the last four quarters, oldest first


async def organisation_view(services: Services, principal: Principal, start: date, end: date) -> list[TeamBalance]:
    """Every team ranked by balance (best first; teams without a score last), each with the indicators that drive
    its rank and its score over the last four quarters. Each team is judged as `balance(teamId)` judges it: with
    its sub-teams (a directorate on its teams' work)."""
    check_window(start, end)
    authorize(principal, "balance.organisation.read", None)
    today = today_in(services.settings.time_zone)
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT team_id, name, parent_id FROM teams")
        names = {r[0]: r[1] for r in rows}
        groups = subtrees({r[0]: r[2] for r in rows})
        now = await balances(conn, groups, start, end, today)
        trend: dict[str, list[tuple[date, date, float | None]]] = defaultdict(list)
        for q_start, q_end in quarters_before(end):
            for k, view in (await balances(conn, groups, q_start, q_end, today)).items():
                trend[k].append((q_start, q_end, view.score))
    ordered = sorted(names, key=lambda t: (now[t].score is None, -(now[t].score or 0), names[t], t))
    return [TeamBalance(t, names[t], i + 1, now[t],
                        sorted((x for x in now[t].indicators if x.state in (rhythm.WATCH, rhythm.CONCERN)),
                               key=lambda x: rhythm.SCORES[x.state]), trend[t])
            for i, t in enumerate(ordered)]


def may_read(principal: Principal, team_id: str | None) -> bool:
    return allowed(principal, "balance.organisation.read" if team_id is None else "balance.read", team_id)
