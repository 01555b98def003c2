"""Domain balance in GraphQL: `balance(teamId, from, to)` (the contract's), a team's profile in words, the
contribution by role, activity by week, month or year, and the organisation view for senior leaders."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.aspects import Aspect
from schema.context import Context
from schema.teams import Team, load_team
from service.reads import balance as reads

strawberry.enum(Aspect, name="Aspect", description="The four aspects of quality management.")


@strawberry.enum(description="The length of the periods activity is counted in.")
class BalancePeriodUnit(Enum):
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


@strawberry.type(description="An aspect's activity in a window.")
class AspectActivity:
    aspect: Aspect
    events: int = strawberry.field(description="Events of this aspect in [from, to) concerning the team "
                                               "(team null: all).")
    share: float = strawberry.field(description="events / all four aspects' events (0 when there are none).")
    people: int = strawberry.field(description="Distinct actors.")
    service_users: int = strawberry.field(description="Distinct actors who took part as service users.")

    @classmethod
    def from_view(cls, v: reads.AspectActivity) -> AspectActivity:
        return cls(aspect=v.aspect, events=v.events, share=v.share, people=v.people, service_users=v.service_users)


@strawberry.type(description="A rhythm indicator (formulas and thresholds: projections/balance/rhythm.py). state: "
                             "GOOD, WATCH, CONCERN or NO_DATA.")
class BalanceIndicator:
    aspect: Aspect
    name: str
    value: float | None
    state: str
    words: str = strawberry.field(description="What the indicator says, in words a leader acts on.")


@strawberry.type(description="Which role took part in which aspect, and how much.")
class RoleContribution:
    role: str
    aspect: Aspect
    events: int
    people: int


@strawberry.type(description="The activity of one week, month or year.")
class BalancePeriod:
    from_: date = strawberry.field(name="from")
    aspects: list[AspectActivity]


@strawberry.type(description="How a team (with its sub-teams), or the organisation, spreads its quality work "
                             "across the four aspects in [from, to); the indicators as they stood at `to` (or "
                             "today, if sooner).")
class Balance:
    team_id: strawberry.Private[str | None]
    from_: date = strawberry.field(name="from")
    to: date
    aspects: list[AspectActivity]
    indicators: list[BalanceIndicator]
    score: float | None = strawberry.field(description="The mean of the judged indicators' states: GOOD 1, WATCH "
                                                        "0.5, CONCERN 0; null when none could be judged.")
    profile: list[str] = strawberry.field(description="The balance in words: the shares against the intended "
                                                       "rhythm, then what to act on, worst first.")

    @strawberry.field
    async def team(self, info: Info[Context, None]) -> Team | None:
        return await load_team(info.context, self.team_id) if self.team_id else None

    @strawberry.field(description="Which roles took part in which aspect: every role and aspect, zeros included.")
    async def contribution(self, info: Info[Context, None]) -> list[RoleContribution]:
        found = await reads.contribution(info.context.services, info.context.principal, self.team_id, self.from_,
                                         self.to)
        return [RoleContribution(role=c.role, aspect=c.aspect, events=c.events, people=c.people) for c in found]

    @strawberry.field(description="The activity by week (from Monday), month or year, oldest first; periods with "
                                  "no activity are left out.")
    async def periods(self, info: Info[Context, None], by: BalancePeriodUnit) -> list[BalancePeriod]:
        found = await reads.periods(info.context.services, info.context.principal, self.team_id, self.from_,
                                    self.to, by.value)
        return [BalancePeriod(from_=p.start, aspects=[AspectActivity.from_view(a) for a in p.aspects])
                for p in found]

    @classmethod
    def from_view(cls, v: reads.BalanceView) -> Balance:
        return cls(team_id=v.team_id, from_=v.start, to=v.end,
                   aspects=[AspectActivity.from_view(a) for a in v.aspects],
                   indicators=[_indicator(i) for i in v.indicators], score=v.score, profile=v.profile)


def _indicator(i: reads.Indicator) -> BalanceIndicator:
    return BalanceIndicator(aspect=i.aspect, name=i.name, value=i.value, state=i.state, words=i.words)


@strawberry.type(description="A quarter's balance score.")
class QuarterScore:
    from_: date = strawberry.field(name="from")
    to: date
    score: float | None


@strawberry.type(description="A team's place in the organisation view.")
class TeamBalance:
    rank: int
    team_name: str
    balance: Balance
    drivers: list[BalanceIndicator] = strawberry.field(description="The indicators that pull its score down, "
                                                                    "worst first.")
    trend: list[QuarterScore] = strawberry.field(description="Its score in each of the last four quarters, oldest "
                                                             "first.")


@strawberry.type
class BalanceQueries:
    @strawberry.field(description="teamId null: the whole organisation. A team's balance includes its sub-teams "
                                  "(a directorate's, all of its teams).")
    async def balance(self, info: Info[Context, None], team_id: strawberry.ID | None,
                      from_: Annotated[date, strawberry.argument(name="from")], to: date) -> Balance:
        ctx = info.context
        ctx.uncacheable()  # reads several read models and judges against today
        view = await reads.balance(ctx.services, ctx.principal, str(team_id) if team_id is not None else None,
                                   from_, to)
        if view is None:
            return Balance(team_id=str(team_id), from_=from_, to=to,
                           aspects=[AspectActivity.from_view(a) for a in reads.activities({}, {}, {})],
                           indicators=[], score=None, profile=[])
        return Balance.from_view(view)

    @strawberry.field(description="For senior leaders: every team ranked by balance (best first), with the "
                                  "indicators that drive its rank and its score over the last four quarters.")
    async def balance_ranking(self, info: Info[Context, None], from_: Annotated[date, strawberry.argument(name="from")],
                              to: date) -> list[TeamBalance]:
        ctx = info.context
        ctx.uncacheable()
        found = await reads.organisation_view(ctx.services, ctx.principal, from_, to)
        return [TeamBalance(rank=t.rank, team_name=t.name, balance=Balance.from_view(t.balance),
                            drivers=[_indicator(i) for i in t.drivers],
                            trend=[QuarterScore(from_=s, to=e, score=x) for s, e, x in t.trend]) for t in found]
