"""The rhythm indicators: every formula and threshold of the domain balance, in this one module.

The thresholds are constants here (not environment settings): they describe the model's intended rhythm (the seed:
plan yearly, control daily, assurance occasionally and less over time, improvement in short bursts), and changing
them changes what every profile means, so they change by a reviewed commit. Each indicator is evaluated on facts
read for a window [start, end) and an instant `end` (the window's end, or today if sooner): a past window shows
the rhythm as it stood then.

States: GOOD (on rhythm), WATCH (drifting), CONCERN (off rhythm: a leader should act), NO_DATA (nothing to judge).
A team's balance score is the mean over indicators with data of GOOD 1, WATCH 0.5, CONCERN 0.

Improvement: "sustained special-cause improvement" reads the outcome measure's chart as it is now (its variation
icon), so a past window shows today's charts for it; every other indicator is judged at the window's end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from domain.aspects import Aspect

GOOD, WATCH, CONCERN, NO_DATA = "GOOD", "WATCH", "CONCERN", "NO_DATA"
SCORES = {GOOD: 1.0, WATCH: 0.5, CONCERN: 0.0}

# ---- thresholds -------------------------------------------------------------------------------------------------
PLAN_MONTHS_GOOD = 12.0          # months since the last approved plan: GOOD up to a year,
PLAN_MONTHS_WATCH = 15.0         # WATCH up to a year and a quarter, then CONCERN (and CONCERN when never)
CONTROL_DAYS_GOOD = 0.8          # share of working days (Mon-Fri) with control activity: GOOD from 80%,
CONTROL_DAYS_WATCH = 0.5         # WATCH from 50%
OVERDUE_SHARE_WATCH = 0.25       # measures with data overdue: GOOD none, WATCH up to a quarter, else CONCERN
DATA_ALLOWANCE_DAYS = {"DAY": 2, "WEEK": 10, "MONTH": 45, "QUARTER": 120}  # days without data before overdue
ACK_MINUTES_GOOD = 60.0          # median minutes from escalation raised to acknowledged: GOOD within an hour,
ACK_MINUTES_WATCH = 240.0        # WATCH within four hours
HUDDLES_GOOD = 3.0               # huddles per week: GOOD from 3, WATCH from 1
HUDDLES_WATCH = 1.0
ASSURANCE_YEAR_MAX_GOOD = 6      # audits and inspections in the last 12 months: GOOD 1-6, WATCH none or 7-12,
ASSURANCE_YEAR_MAX_WATCH = 12    # CONCERN more than 12 (assurance used as the control system)
FINDINGS_ON_TIME_GOOD = 0.9      # findings' actions due by now that were done on time: GOOD from 90%,
FINDINGS_ON_TIME_WATCH = 0.7     # WATCH from 70%
ASSURANCE_RATIO_GOOD = 0.2       # assurance events per control event: GOOD up to 0.2, WATCH up to 0.5
ASSURANCE_RATIO_WATCH = 0.5
ACTIVE_PROJECTS_PER_TEAM = 3    # active projects: GOOD 1 to 3 a team, WATCH none (no improvement under way),
                                 # CONCERN more (improvement as a permanent state, not short bursts)
DURATION_RATIO_GOOD = 1.0        # median (actual or so-far duration / planned duration): GOOD on time,
DURATION_RATIO_WATCH = 1.5       # WATCH up to half as long again, then CONCERN
OVERRUNNING_WATCH = 1            # projects running past their planned end: GOOD none, WATCH one, CONCERN more
CYCLES_GOOD = 1.0                # PDSA cycles per active project per month: GOOD from 1, WATCH from 0.25
CYCLES_WATCH = 0.25
CONTROL_SHARE_LOW = 0.5          # profile: control under half of the activity, daily work is not on the system
ASSURANCE_SHARE_HIGH = 0.3       # profile: assurance over 30% of the activity is more than occasional


@dataclass(frozen=True, slots=True)
class Indicator:
    aspect: Aspect
    name: str
    value: float | None
    state: str
    words: str   # what a leader reads, e.g. "control: data overdue on 3 of 12 measures"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the indicators need, read for a team (with its sub-teams) or the organisation."""

    start: date
    end: date                     # exclusive; already no later than tomorrow
    planning_year: int            # the planning year `end - 1 day` falls in (2025 = 2025/26)
    events: dict[Aspect, int]
    teams: int                    # teams in scope expected to plan: those without sub-teams, and any that has
    teams_with_plan: int          # approved a plan; of them, with a plan approved for the planning year by `end`
    months_since_plan: float | None
    working_days: int
    control_days: int             # working days with control activity
    measures: int
    measures_overdue: int
    ack_minutes: list[float] = field(default_factory=list)
    huddles: int = 0
    assurance_last_year: int = 0  # audits and inspections begun in the 12 months before `end`
    assurance_year_before: int = 0
    findings_due: int = 0
    findings_on_time: int = 0
    active_projects: int = 0      # open at `end`
    overrunning: int = 0          # of which past their planned end
    duration_ratios: list[float] = field(default_factory=list)  # projects open at `end` or closed in the year
    cycles: int = 0               # PDSA cycles planned in the window
    project_months: float = 0.0   # months of open projects within the window
    improving: int = 0            # active projects whose outcome measure's chart shows special-cause improvement


def _band_up(value: float, good: float, watch: float) -> str:
    return GOOD if value >= good else WATCH if value >= watch else CONCERN


def _band_down(value: float, good: float, watch: float) -> str:
    return GOOD if value <= good else WATCH if value <= watch else CONCERN


def planning(f: Facts) -> list[Indicator]:
    year = f"{f.planning_year}/{(f.planning_year + 1) % 100:02d}"
    share = f.teams_with_plan / f.teams if f.teams else None
    plan_state = NO_DATA if share is None else GOOD if share >= 1 else WATCH if share > 0 else CONCERN
    plan_words = (f"planning: no approved plan for {year}" if share == 0 else
                  f"planning: {f.teams - f.teams_with_plan} of {f.teams} teams have no approved plan for {year}"
                  if plan_state == WATCH else f"planning: an approved plan for {year}")
    months = f.months_since_plan
    m_state = CONCERN if months is None else _band_down(months, PLAN_MONTHS_GOOD, PLAN_MONTHS_WATCH)
    m_words = ("planning: no plan has ever been approved" if months is None else
               f"planning: the last plan was approved {months:.0f} months ago")
    return [Indicator(Aspect.PLANNING, "approved plan for the current year", share, plan_state, plan_words),
            Indicator(Aspect.PLANNING, "months since the last approved plan", months, m_state, m_words)]


def control(f: Facts) -> list[Indicator]:
    out = []
    days = f.control_days / f.working_days if f.working_days else None
    out.append(Indicator(Aspect.CONTROL, "share of working days with control activity", days,
                         NO_DATA if days is None else _band_up(days, CONTROL_DAYS_GOOD, CONTROL_DAYS_WATCH),
                         f"control: activity on {f.control_days} of {f.working_days} working days"))
    if f.measures:
        share = f.measures_overdue / f.measures
        state = GOOD if f.measures_overdue == 0 else WATCH if share <= OVERDUE_SHARE_WATCH else CONCERN
    else:
        state = NO_DATA
    out.append(Indicator(Aspect.CONTROL, "measures with data overdue", float(f.measures_overdue), state,
                         f"control: data overdue on {f.measures_overdue} of {f.measures} measures" if f.measures
                         else "control: no measures to run daily work on"))
    ack = median(f.ack_minutes) if f.ack_minutes else None
    out.append(Indicator(Aspect.CONTROL, "median minutes from escalation to acknowledgement", ack,
                         NO_DATA if ack is None else _band_down(ack, ACK_MINUTES_GOOD, ACK_MINUTES_WATCH),
                         f"control: concerns acknowledged in a median {ack:.0f} minutes" if ack is not None
                         else "control: no escalations acknowledged"))
    weeks = max((f.end - f.start).days, 1) / 7
    per_week = f.huddles / weeks
    out.append(Indicator(Aspect.CONTROL, "huddles per week", round(per_week, 3),
                         _band_up(per_week, HUDDLES_GOOD, HUDDLES_WATCH),
                         f"control: {per_week:.1f} huddles a week"))
    return out


def assurance(f: Facts) -> list[Indicator]:
    n, before = f.assurance_last_year, f.assurance_year_before
    count_state = (WATCH if n == 0 else GOOD if n <= ASSURANCE_YEAR_MAX_GOOD else
                   WATCH if n <= ASSURANCE_YEAR_MAX_WATCH else CONCERN)
    out = [Indicator(Aspect.ASSURANCE, "audits and inspections in the last 12 months", float(n), count_state,
                     f"assurance: {n} audits and inspections in the last 12 months"),
           Indicator(Aspect.ASSURANCE, "change in audits and inspections on the 12 months before", float(n - before),
                     NO_DATA if n == before == 0 else GOOD if n <= before else WATCH,
                     "assurance: " + ("rising" if n > before else "falling" if n < before else "steady")
                     + f" ({before} the year before, {n} this year)")]
    on_time = f.findings_on_time / f.findings_due if f.findings_due else None
    out.append(Indicator(Aspect.ASSURANCE, "findings closed on time", on_time,
                         NO_DATA if on_time is None else _band_up(on_time, FINDINGS_ON_TIME_GOOD,
                                                                  FINDINGS_ON_TIME_WATCH),
                         f"assurance: {f.findings_on_time} of {f.findings_due} findings' actions done on time"))
    a, c = f.events.get(Aspect.ASSURANCE, 0), f.events.get(Aspect.CONTROL, 0)
    ratio = a / c if c else None
    state = (NO_DATA if a == c == 0 else CONCERN if ratio is None else
             _band_down(ratio, ASSURANCE_RATIO_GOOD, ASSURANCE_RATIO_WATCH))
    out.append(Indicator(Aspect.ASSURANCE, "assurance to control activity", ratio, state,
                         f"assurance: {a} assurance events beside {c} of control"))
    return out


def improvement(f: Facts) -> list[Indicator]:
    n, teams = f.active_projects, max(f.teams, 1)
    active_state = WATCH if n == 0 else GOOD if n <= ACTIVE_PROJECTS_PER_TEAM * teams else CONCERN
    out = [Indicator(Aspect.IMPROVEMENT, "active projects", float(n), active_state,
                     f"improvement: {n} projects running" if n else "improvement: no project running")]
    over = f.overrunning
    out.append(Indicator(Aspect.IMPROVEMENT, "projects past their planned end", float(over),
                         NO_DATA if n == 0 else GOOD if over == 0 else WATCH if over <= OVERRUNNING_WATCH
                         else CONCERN, f"improvement: {over} projects running past their planned end"))
    ratio = median(f.duration_ratios) if f.duration_ratios else None
    out.append(Indicator(Aspect.IMPROVEMENT, "median duration against planned duration", ratio,
                         NO_DATA if ratio is None else _band_down(ratio, DURATION_RATIO_GOOD, DURATION_RATIO_WATCH),
                         f"improvement: projects take a median {ratio:.1f} times their planned time"
                         if ratio is not None else "improvement: no projects to time"))
    per = f.cycles / f.project_months if f.project_months else None
    out.append(Indicator(Aspect.IMPROVEMENT, "PDSA cycles per project per month", per,
                         NO_DATA if per is None else _band_up(per, CYCLES_GOOD, CYCLES_WATCH),
                         f"improvement: {per:.1f} PDSA cycles per project a month" if per is not None
                         else "improvement: no project months to count cycles in"))
    out.append(Indicator(Aspect.IMPROVEMENT, "projects whose outcome shows special-cause improvement",
                         float(f.improving), NO_DATA if n == 0 else GOOD if f.improving else WATCH,
                         f"improvement: {f.improving} of {n} projects show special-cause improvement in their "
                         "outcome"))
    return out


def share_words(events: dict[Aspect, int]) -> list[str]:
    """What the aspects' shares say against the intended rhythm."""
    total = sum(events.values())
    if not total:
        return ["no quality activity recorded in this period"]
    words = []
    control_share = events.get(Aspect.CONTROL, 0) / total
    if control_share < CONTROL_SHARE_LOW:
        words.append(f"control: only {control_share:.0%} of the activity; daily work is not run on the control system")
    assurance_share = events.get(Aspect.ASSURANCE, 0) / total
    if assurance_share > ASSURANCE_SHARE_HIGH:
        words.append(f"assurance: {assurance_share:.0%} of the activity, more than occasional")
    return words


def service_user_words(events: dict[Aspect, int], users: dict[Aspect, int]) -> list[str]:
    """The seed expects everyone to take part, service users included: the aspects with activity but none of it
    theirs."""
    absent = [a.value.lower() for a in Aspect if events.get(a, 0) and not users.get(a, 0)]
    if not absent:
        return []
    if len(absent) == len([a for a in Aspect if events.get(a, 0)]):
        return ["service users: take no part in any aspect"]
    return [f"service users: take no part in {', '.join(absent)}"]


def indicators(f: Facts) -> list[Indicator]:
    return [*planning(f), *control(f), *assurance(f), *improvement(f)]


def score(found: list[Indicator]) -> float | None:
    judged = [SCORES[i.state] for i in found if i.state in SCORES]
    return sum(judged) / len(judged) if judged else None


def profile(events: dict[Aspect, int], users: dict[Aspect, int], found: list[Indicator]) -> list[str]:
    """The profile in words: the shares against the rhythm, every indicator a leader should act on (CONCERN) or
    watch (WATCH), worst first, then where service users take no part."""
    drivers = [i.words for i in sorted(found, key=lambda i: SCORES.get(i.state, 2)) if i.state in (CONCERN, WATCH)]
    return [*share_words(events), *drivers, *service_user_words(events, users)]
