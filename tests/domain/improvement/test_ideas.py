"""Idea sessions: listed without judgement, then grouped and voted on, then closed with the change ideas. No I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.improvement.ideas import IdeaSession


def given_session() -> IdeaSession:
    s = IdeaSession.open(session_id=uuid4(), team_id="t", project_id=None, prompt="How could we cut falls?")
    s.collect_events()
    return s


def code_of(work: object) -> str:
    with pytest.raises(DomainError) as e:
        work()  # type: ignore[operator]
    return e.value.code


def test_no_votes_or_groups_while_ideas_are_listed_without_judgement() -> None:
    s = given_session()
    idea = s.list_idea("Rounding", "sam")
    assert code_of(lambda: s.vote(idea, "sam")) == "INVALID_STATE"
    assert code_of(lambda: s.group("Staffing", [idea])) == "INVALID_STATE"


def test_converging_groups_votes_once_each_and_closes_with_change_ideas() -> None:
    s = given_session()
    a, b = s.list_idea("Rounding", "sam"), s.list_idea("Sensor mats", "pat")
    s.converge()
    assert code_of(lambda: s.list_idea("Late idea", "sam")) == "INVALID_STATE"
    s.group("Checks", [a, b])
    s.vote(a, "sam")
    assert code_of(lambda: s.vote(a, "sam")) == "INVALID"
    s.close([a], "Most votes")
    assert s.phase == "CLOSED"
    assert code_of(lambda: s.vote(b, "pat")) == "INVALID_STATE"


def test_an_empty_session_cannot_converge() -> None:
    assert code_of(lambda: given_session().converge()) == "INVALID_STATE"
