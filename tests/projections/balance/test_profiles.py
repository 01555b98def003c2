"""Balance profiles on built event histories: each history gives its expected indicators and words. The window is
the third quarter of 2026, judged from 30 November 2026."""

from __future__ import annotations

from datetime import date, timedelta

from domain.aspects import Aspect
from projections.balance import rhythm
from service.bootstrap import Services
from service.reads.balance import BalanceView, balances, contribution_of
from tests.projections.balance.history import History, weekdays

START, END, TODAY = date(2026, 7, 1), date(2026, 10, 1), date(2026, 11, 30)


def healthy(h: History, team: str, *, plan: bool = True, service_users: bool = True) -> None:
    """Plans yearly, runs daily work on measures and huddles, audits once a year and less than before, and runs
    one short improvement project with fortnightly PDSA cycles whose outcome (falls) came down and stayed down."""
    if plan:
        h.approved_plan(team, 2026, date(2026, 4, 20))
    measures = [h.measure(team, date(2026, 3, 1)), h.measure(team, date(2026, 3, 1))]
    h.project_(team, date(2026, 6, 1), date(2026, 12, 1), outcome=measures[0], cycles=11,
               patient="patient-1" if service_users else None)
    for day in weekdays(date(2026, 3, 2), END):
        h.observe(measures[0], day, value=(9.0 if day < date(2026, 7, 1) else 3.0) + day.day % 3)
        h.observe(measures[1], day)
        if day.isoweekday() in (1, 3, 5):
            h.huddle(team, day)
        if service_users and day.isoweekday() == 2:
            h.feedback(team, day, f"patient-{day.isocalendar().week % 4}")
    h.audit(team, date(2026, 6, 10))
    h.audit(team, date(2025, 3, 10))
    h.audit(team, date(2025, 5, 10))


async def profile(services: Services, h: History, team: str) -> BalanceView:
    async with h.applied(services) as conn:
        return (await balances(conn, {team: [team]}, START, END, TODAY))[team]


def states(view: BalanceView) -> dict[str, str]:
    return {i.name: i.state for i in view.indicators}


async def test_a_team_with_a_healthy_rhythm_is_good_on_every_judged_indicator(services: Services) -> None:
    h = History()
    team = h.team("Ward 7", date(2026, 1, 5))
    healthy(h, team)
    view = await profile(services, h, team)
    assert {i.state for i in view.indicators} <= {rhythm.GOOD, rhythm.NO_DATA}
    assert view.score == 1.0
    assert view.profile == []
    control = next(a for a in view.aspects if a.aspect is Aspect.CONTROL)
    assert control.share > 0.9
    assert (control.people, control.service_users) == (6, 4)  # a nurse, a leader and four patients


async def test_a_team_that_only_audits_is_told_assurance_is_its_control_system(services: Services) -> None:
    h = History()
    team = h.team("Audit-heavy ward", date(2025, 1, 5))
    for i in range(14):
        h.audit(team, date(2026, 7, 1) + timedelta(days=6 * i))
    view = await profile(services, h, team)
    s = states(view)
    assert s["audits and inspections in the last 12 months"] == rhythm.CONCERN
    assert s["assurance to control activity"] == rhythm.CONCERN
    assert s["share of working days with control activity"] == rhythm.CONCERN
    assert s["approved plan for the current year"] == rhythm.CONCERN
    assert s["huddles per week"] == rhythm.CONCERN
    assert [a.share for a in view.aspects] == [0.0, 0.0, 1.0, 0.0]
    assert view.profile[:2] == ["control: only 0% of the activity; daily work is not run on the control system",
                                "assurance: 100% of the activity, more than occasional"]
    assert s["change in audits and inspections on the 12 months before"] == rhythm.WATCH  # rising
    assert view.score is not None and view.score < 0.2


async def test_a_team_that_never_plans_is_told_so_first(services: Services) -> None:
    h = History()
    team = h.team("Unplanned ward", date(2026, 1, 5))
    healthy(h, team, plan=False)
    view = await profile(services, h, team)
    s = states(view)
    assert (s["approved plan for the current year"], s["months since the last approved plan"]) == (
        rhythm.CONCERN, rhythm.CONCERN)
    assert view.profile == ["planning: no approved plan for 2026/27", "planning: no plan has ever been approved"]
    assert {i.state for i in view.indicators if i.aspect is not Aspect.PLANNING} <= {rhythm.GOOD, rhythm.NO_DATA}
    assert view.score is not None and 0.6 < view.score < 1


async def test_a_team_with_long_running_projects_is_told_how_many_run_past_their_end(services: Services) -> None:
    h = History()
    team = h.team("Slow ward", date(2025, 1, 5))
    healthy(h, team)
    for created in (date(2025, 2, 1), date(2025, 5, 1), date(2025, 9, 1)):
        h.project_(team, created, created + timedelta(days=90), cycles=2)
    h.project_(team, date(2025, 3, 1), date(2025, 6, 1), closed=date(2025, 12, 1))
    view = await profile(services, h, team)
    s = {i.name: (i.value, i.state) for i in view.indicators}
    assert s["active projects"] == (4.0, rhythm.CONCERN)
    assert s["projects past their planned end"] == (3.0, rhythm.CONCERN)
    assert s["median duration against planned duration"][1] == rhythm.CONCERN
    assert s["PDSA cycles per project per month"][1] == rhythm.WATCH
    assert "improvement: 3 projects running past their planned end" in view.profile
    assert view.profile[0] == "improvement: 4 projects running"


async def test_a_team_whose_service_users_never_take_part_sees_it_by_role(services: Services) -> None:
    h = History()
    team = h.team("Quiet ward", date(2026, 1, 5))
    healthy(h, team, service_users=False)
    async with h.applied(services) as conn:
        view = (await balances(conn, {team: [team]}, START, END, TODAY))[team]
        roles = await contribution_of(conn, [team], START, END)
    assert view.profile == ["service users: take no part in any aspect"]
    assert all(a.service_users == 0 for a in view.aspects)
    assert {(c.aspect, c.events) for c in roles if c.role == "SERVICE_USER"} == {(a, 0) for a in Aspect}
    assert any(c.role == "TEAM_MEMBER" and c.aspect is Aspect.CONTROL and c.events > 100 for c in roles)


async def test_a_past_window_shows_the_rhythm_as_it_stood_then(services: Services) -> None:
    h = History()
    team = h.team("Ward 7", date(2026, 1, 5))
    healthy(h, team)
    async with h.applied(services) as conn:
        before = (await balances(conn, {team: [team]}, date(2026, 3, 1), date(2026, 4, 1), TODAY))[team]
    s = states(before)
    # in March 2026 the 2026/27 plan was not yet approved, and no plan had ever been
    assert s["months since the last approved plan"] == rhythm.CONCERN
    assert "planning: no plan has ever been approved" in before.profile
