"""Team membership: who is in a team, in which job role, from when to when. Domain data: the token's team
claims still decide access, and the API shows where the two disagree."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.planning.rules import invalid_state, required_text
from domain.text import check_text

ASPECT = Aspect.PLANNING

JOB_ROLES = ("TEAM_LEADER", "SENIOR_CLINICIAN", "TEAM_MEMBER", "SERVICE_USER_REPRESENTATIVE")


def _check_dates(starts: date, ends: date | None) -> None:
    if ends is not None and ends < starts:
        raise InvalidInput(f"A membership cannot end ({ends}) before it starts ({starts}).", field="to",
                           code="INVALID")


class Membership(Aggregate):
    """One person's membership of one team in one job role."""

    class MemberJoined(Aggregate.Created):
        team_id: str
        subject: str
        job_role: str
        starts: date
        ends: date | None

    @classmethod
    def join(cls, *, membership_id: UUID, team_id: str, subject: str, job_role: str, starts: date,
             ends: date | None) -> Membership:
        subject = check_text(subject, "subject").strip()
        if not 0 < len(subject) <= 200:
            raise InvalidInput("subject must have 1 to 200 characters.", field="subject", code="INVALID")
        if job_role not in JOB_ROLES:
            raise InvalidInput(f"jobRole must be one of {', '.join(JOB_ROLES)}.", field="jobRole", code="INVALID")
        _check_dates(starts, ends)
        return cls._create(cls.MemberJoined, id=membership_id, team_id=team_id, subject=subject, job_role=job_role,
                           starts=starts, ends=ends)

    @event(MemberJoined)
    def __init__(self, team_id: str, subject: str, job_role: str, starts: date, ends: date | None) -> None:
        self.team_id = team_id
        self.subject = subject
        self.job_role = job_role
        self.starts = starts
        self.ends = ends

    def end(self, ends: date, reason: str) -> None:
        """The person leaves the team (or will) on `ends`, the last day of the membership."""
        if self.ends is not None:
            raise invalid_state(f"This membership already ends on {self.ends}.")
        _check_dates(self.starts, ends)
        self._ended(ends=ends, reason=required_text(reason, "reason"))

    @event("MembershipEnded")
    def _ended(self, ends: date, reason: str) -> None:
        self.ends = ends

    def current(self, today: date) -> bool:
        return self.starts <= today and (self.ends is None or today <= self.ends)
