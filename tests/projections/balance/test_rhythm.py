"""The rhythm indicators' formulas and thresholds (projections/balance/rhythm.py), on facts alone: no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain.aspects import Aspect
from projections.balance import rhythm
from projections.balance.rhythm import Facts

ON_RHYTHM = Facts(start=date(2026, 7, 1), end=date(2026, 10, 1), planning_year=2026,
                  events={Aspect.PLANNING: 3, Aspect.CONTROL: 400, Aspect.ASSURANCE: 2, Aspect.IMPROVEMENT: 20},
                  teams=1, teams_with_plan=1, months_since_plan=5.0, working_days=66, control_days=66, measures=4,
                  measures_overdue=0, ack_minutes=[20.0, 40.0], huddles=40, assurance_last_year=2,
                  assurance_year_before=3, findings_due=4, findings_on_time=4, active_projects=1, overrunning=0,
                  duration_ratios=[0.8], cycles=6, project_months=3.0, improving=1)


def state(facts: Facts, name: str) -> str:
    return next(i.state for i in rhythm.indicators(facts) if i.name == name)


def test_a_team_on_rhythm_is_good_on_every_indicator_and_scores_one() -> None:
    found = rhythm.indicators(ON_RHYTHM)
    assert {i.state for i in found} == {rhythm.GOOD}
    assert rhythm.score(found) == 1.0
    assert rhythm.profile(ON_RHYTHM.events, dict.fromkeys(Aspect, 1), found) == []


def test_control_on_half_the_working_days_is_watched_and_on_fewer_is_a_concern() -> None:
    assert state(replace(ON_RHYTHM, control_days=33), "share of working days with control activity") == rhythm.WATCH
    assert state(replace(ON_RHYTHM, control_days=32), "share of working days with control activity") == rhythm.CONCERN


def test_more_than_twelve_audits_a_year_is_assurance_used_as_the_control_system() -> None:
    assert state(replace(ON_RHYTHM, assurance_last_year=13), "audits and inspections in the last 12 months") == \
        rhythm.CONCERN
    assert state(replace(ON_RHYTHM, assurance_last_year=0), "audits and inspections in the last 12 months") == \
        rhythm.WATCH


def test_rising_assurance_is_watched() -> None:
    rising = replace(ON_RHYTHM, assurance_last_year=4, assurance_year_before=2)
    assert state(rising, "change in audits and inspections on the 12 months before") == rhythm.WATCH


def test_projects_past_their_end_are_named_in_words_a_leader_acts_on() -> None:
    slow = replace(ON_RHYTHM, active_projects=3, overrunning=3, duration_ratios=[1.6, 2.0, 2.5])
    found = rhythm.indicators(slow)
    assert state(slow, "projects past their planned end") == rhythm.CONCERN
    assert "improvement: 3 projects running past their planned end" in rhythm.profile(slow.events, {}, found)


def test_a_team_with_no_activity_is_told_so_and_nothing_is_divided_by_zero() -> None:
    idle = Facts(start=date(2026, 7, 1), end=date(2026, 10, 1), planning_year=2026, events={}, teams=1,
                 teams_with_plan=0, months_since_plan=None, working_days=0, control_days=0, measures=0,
                 measures_overdue=0)
    found = rhythm.indicators(idle)
    assert rhythm.profile({}, {}, found)[0] == "no quality activity recorded in this period"
    assert state(idle, "share of working days with control activity") == rhythm.NO_DATA
