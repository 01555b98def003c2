"""A realistic demo organisation: directorates and teams, a family of measures, three years of monthly and two of
daily data, its planning (service/edge/demo_planning.py), control, assurance and improvement (demo_control.py,
demo_assurance.py, demo_improvement.py)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from rich.progress import Progress

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from service.auth.identity import Principal, Role
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.measures import define_measure, recalculate_limits, record_observations
from service.commands.teams import create_team
from service.edge.demo_assurance import load_assurance_demo
from service.edge.demo_control import load_control_demo
from service.edge.demo_improvement import load_improvement_demo
from service.edge.demo_planning import DIRECTORATES, load_planning_demo
from service.edge.demo_signals import load_signals_demo

LEADER = Principal("demo-loader", Role.SENIOR_LEADER)
TRUST = "Riverside NHS Trust (demo)"


def _months(start: date, n: int) -> list[date]:
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(n)]


def _series(rng: random.Random, n: int, mean: float, sd: float, step_at: int | None = None, step: float = 0.0,
            drift: float = 0.0) -> list[float]:
    out = []
    for i in range(n):
        shift = step if step_at is not None and i >= step_at else 0.0
        out.append(round(rng.gauss(mean + shift + drift * i, sd), 2))
    return out


async def load_demo(services: Services, seed: int = 7) -> dict[str, str]:
    """Create the demo organisation through the same commands the API uses; return the measure ids by name."""
    rng = random.Random(seed)
    ctx = CommandContext(LEADER, source="demo")
    async with services.pool.acquire() as conn:
        if await conn.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%TeamCreated' "
                               "AND convert_from(data, 'UTF8')::jsonb->>'name' = $1", TRUST):
            return {}
    trust = await create_team(services, ctx, TRUST, None)
    directorates = {name: (await create_team(services, ctx, name, trust.team_id)).team_id for name in DIRECTORATES}
    teams = {name: (await create_team(services, ctx, name, directorates[directorate])).team_id
             for directorate, names in DIRECTORATES.items() for name in names}
    today = date.today()
    first_month = date(today.year - 3, today.month, 1)
    months = _months(first_month, 36)
    days = [today - timedelta(days=730 - i) for i in range(730)]
    plans = [
        ("Emergency Department", "Patients seen within 4 hours (%)", "OUTCOME", "INCREASE", "XMR", "MONTH", "%", 76.0,
         months, _series(rng, 36, 71, 2.0, step_at=26, step=5)),
        ("Emergency Department", "Daily attendances", "PROCESS", "NEITHER", "XMR", "DAY", "patients", None,
         days, [max(0.0, round(v)) for v in _series(rng, 730, 310, 22, drift=0.02)]),
        ("Emergency Department", "Time to initial assessment (minutes)", "PROCESS", "DECREASE", "XMR", "MONTH",
         "minutes", 15.0, months, _series(rng, 36, 19, 1.5, drift=-0.12)),
        ("Ward 7 (Respiratory)", "Falls per 1,000 bed days", "OUTCOME", "DECREASE", "XMR", "MONTH", "rate", 5.0,
         months, _series(rng, 36, 6.2, 0.9, step_at=20, step=-1.6)),
        ("Ward 7 (Respiratory)", "NEWS2 observations on time (%)", "PROCESS", "INCREASE", "XMR", "MONTH", "%", 95.0,
         months, [min(100.0, v) for v in _series(rng, 36, 91, 2.2)]),
        ("Ward 7 (Respiratory)", "Staff sickness absence (%)", "BALANCING", "DECREASE", "XMR", "MONTH", "%", 4.0,
         months, _series(rng, 36, 5.1, 0.5)),
        ("Community Diabetes Service", "Patients with HbA1c checked (%)", "PROCESS", "INCREASE", "XMR", "MONTH",
         "%", 80.0, months, _series(rng, 36, 74, 2.5, drift=0.25)),
        ("Community Diabetes Service", "Clinic did-not-attend rate (%)", "BALANCING", "DECREASE", "RUN", "MONTH",
         "%", None, months, _series(rng, 36, 11, 1.2)),
    ]
    ids: dict[str, str] = {}
    with Progress() as progress:
        task = progress.add_task("Loading demo measures", total=len(plans))
        for team, name, kind, direction, chart, freq, unit, target, periods, values in plans:
            definition = MeasureDefinition(team_id=teams[team], name=name, kind=kind, direction=direction,
                                           chart_type=chart, frequency=freq, unit=unit, target=target)
            measure_id, _ = await define_measure(services, ctx, definition)
            recorder = CommandContext(Principal("demo-feed", Role.TEAM_MEMBER, frozenset([teams[team]])),
                                      source="demo")
            batch = [ObservationIn(p, v, source_id=f"demo-{name}-{p.isoformat()}") for p, v in
                     zip(periods, values, strict=True) if not math.isnan(v)]
            history, recent = batch[:-6], batch[-6:]  # the history in bulk, then the last six as a feed sends them
            for start in range(0, len(history), 100):
                await record_observations(services, recorder, measure_id, history[start:start + 100])
            for observation in recent:
                await record_observations(services, recorder, measure_id, [observation])
            ids[name] = measure_id
            progress.advance(task)
    await recalculate_limits(services, ctx, ids["Falls per 1,000 bed days"], months[20],
                             "New falls-prevention bundle rolled out on the ward; the process has changed.")
    await load_planning_demo(services, ctx, trust.team_id, directorates, teams, ids)
    await load_control_demo(services, ctx, teams, ids)
    await load_assurance_demo(services, teams)
    await load_improvement_demo(services, teams, ids)
    if services.runners:  # signals arise from the charts in the projections; without runners there are none yet
        await load_signals_demo(services, teams)
    return ids
