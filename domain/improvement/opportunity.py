"""An improvement opportunity on a team's register: anyone of the team, service users included, proposes what
matters most; people vote, each once; the team chooses it (or declines it) and records why. A project can start
from a chosen opportunity."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.improvement.rules import MAX_TEXT, MAX_TITLE, invalid_state, optional, required
from domain.improvement.vocabulary import OpportunityStatus


class Opportunity(Aggregate):
    """One proposal on a team's register of improvement opportunities."""

    class OpportunityProposed(Aggregate.Created):
        team_id: str
        title: str
        description: str | None
        proposed_by: str
        role: str

    class OpportunityVoted(Aggregate.Event):
        voter: str
        role: str

    class OpportunityChosen(Aggregate.Event):
        reason: str
        chosen_by: str

    class OpportunityDeclined(Aggregate.Event):
        reason: str
        declined_by: str

    @classmethod
    def propose(cls, *, opportunity_id: UUID, team_id: str, title: str, description: str | None, proposed_by: str,
                role: str) -> Opportunity:
        return cls._create(cls.OpportunityProposed, id=opportunity_id, team_id=team_id,
                           title=required(title, "title", MAX_TITLE),
                           description=optional(description, "description"), proposed_by=proposed_by, role=role)

    @event(OpportunityProposed)
    def __init__(self, team_id: str, title: str, description: str | None, proposed_by: str, role: str) -> None:
        self.team_id = team_id
        self.title = title
        self.status = OpportunityStatus.PROPOSED.value
        self.voters: set[str] = set()

    def _check_open(self, doing: str) -> None:
        if self.status != OpportunityStatus.PROPOSED:
            raise invalid_state(f"The opportunity is {self.status}: it cannot be {doing}.")

    def vote(self, voter: str, role: str) -> None:
        self._check_open("voted for")
        if voter in self.voters:
            raise DomainError(f"{voter} has already voted for this opportunity: one vote each.",
                              field="opportunityId", code="INVALID")
        self._voted(voter=voter, role=role)

    @event(OpportunityVoted)
    def _voted(self, voter: str, role: str) -> None:
        self.voters.add(voter)

    def choose(self, reason: str, chosen_by: str) -> None:
        self._check_open("chosen")
        self._chosen(reason=required(reason, "reason", MAX_TEXT), chosen_by=chosen_by)

    @event(OpportunityChosen)
    def _chosen(self, reason: str, chosen_by: str) -> None:
        self.status = OpportunityStatus.CHOSEN.value

    def decline(self, reason: str, declined_by: str) -> None:
        self._check_open("declined")
        self._declined(reason=required(reason, "reason", MAX_TEXT), declined_by=declined_by)

    @event(OpportunityDeclined)
    def _declined(self, reason: str, declined_by: str) -> None:
        self.status = OpportunityStatus.DECLINED.value

    def check_can_start_a_project(self) -> None:
        """A project starts only from an opportunity the team chose."""
        if self.status != OpportunityStatus.CHOSEN:
            raise invalid_state(f"The opportunity is {self.status}: a project starts from a chosen opportunity.")
