"""The improvement opportunity's rules, as Given events / When command / Then events or error. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.opportunity import Opportunity


def given_opportunity() -> Opportunity:
    o = Opportunity.propose(opportunity_id=uuid4(), team_id="team-1", title="Falls at night", description=None,
                            proposed_by="pat", role="SERVICE_USER")
    o.collect_events()
    return o


def test_each_person_votes_once() -> None:
    o = given_opportunity()
    o.vote("pat", "SERVICE_USER")
    o.vote("sam", "TEAM_MEMBER")
    assert [type(e).__name__ for e in o.collect_events()] == ["OpportunityVoted", "OpportunityVoted"]
    with pytest.raises(DomainError) as e:
        o.vote("pat", "SERVICE_USER")
    assert (e.value.code, e.value.field) == ("INVALID", "opportunityId")


def test_the_team_s_choice_needs_a_reason_and_is_made_once() -> None:
    o = given_opportunity()
    with pytest.raises(DomainError):
        o.choose(" ", "leader")
    o.choose("Most votes", "leader")
    for work in (lambda: o.choose("again", "leader"), lambda: o.vote("x", "TEAM_MEMBER"),
                 lambda: o.decline("no", "leader")):
        with pytest.raises(DomainError) as e:
            work()
        assert e.value.code == "INVALID_STATE"


def test_a_project_starts_only_from_a_chosen_opportunity() -> None:
    o = given_opportunity()
    with pytest.raises(DomainError) as e:
        o.check_can_start_a_project()
    assert e.value.code == "INVALID_STATE"
    o.choose("Most votes", "leader")
    o.check_can_start_a_project()
