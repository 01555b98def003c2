"""The Membership aggregate's rules. Given/When/Then, no I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import DomainError, InvalidInput
from domain.planning.membership import Membership


def given_member(ends: date | None = None) -> Membership:
    m = Membership.join(membership_id=uuid4(), team_id="t", subject="sam", job_role="TEAM_MEMBER",
                        starts=date(2025, 4, 1), ends=ends)
    m.collect_events()
    return m


def test_a_membership_that_ends_before_it_starts_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_member(ends=date(2025, 3, 31))
    assert (e.value.code, e.value.field) == ("INVALID", "to")


def test_an_unknown_job_role_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        Membership.join(membership_id=uuid4(), team_id="t", subject="sam", job_role="CHIEF",
                        starts=date(2025, 4, 1), ends=None)
    assert e.value.field == "jobRole"


def test_ending_a_membership_records_the_last_day_and_makes_it_past() -> None:
    m = given_member()
    assert m.current(date(2025, 6, 1))
    m.end(date(2025, 5, 31), "Moved to another ward")
    assert [type(e).__name__ for e in m.collect_events()] == ["MembershipEnded"]
    assert not m.current(date(2025, 6, 1))


def test_a_membership_ends_once() -> None:
    m = given_member(ends=date(2025, 12, 31))
    with pytest.raises(DomainError) as e:
        m.end(date(2025, 6, 30), "again")
    assert e.value.code == "INVALID_STATE"


def test_an_end_before_the_start_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        given_member().end(date(2025, 1, 1), "typo")
