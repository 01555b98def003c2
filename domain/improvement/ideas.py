"""An idea session: first ideas are listed without judgement (no votes, nothing removed), then grouped and voted
on to converge, and the session closes with the change ideas to test."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.improvement.rules import MAX_TEXT, MAX_TITLE, invalid, invalid_state, required
from domain.improvement.vocabulary import SessionPhase

MAX_IDEAS = 500


class IdeaSession(Aggregate):
    """One session of a team (and, if it serves one, a project). Ideas are i1, i2, ...; groups g1, g2, ..."""

    class IdeaSessionOpened(Aggregate.Created):
        team_id: str
        project_id: str | None
        prompt: str

    class IdeaListed(Aggregate.Event):
        idea_id: str
        text: str
        by: str

    class ConvergenceBegun(Aggregate.Event):
        pass

    class IdeasGrouped(Aggregate.Event):
        group_id: str
        name: str
        idea_ids: list[str]

    class IdeaVoted(Aggregate.Event):
        idea_id: str
        voter: str

    class IdeaSessionClosed(Aggregate.Event):
        chosen: list[str]   # the ideas to test as change ideas
        reason: str

    @classmethod
    def open(cls, *, session_id: UUID, team_id: str, project_id: str | None, prompt: str) -> IdeaSession:
        return cls._create(cls.IdeaSessionOpened, id=session_id, team_id=team_id, project_id=project_id,
                           prompt=required(prompt, "prompt", MAX_TEXT))

    @event(IdeaSessionOpened)
    def __init__(self, team_id: str, project_id: str | None, prompt: str) -> None:
        self.team_id = team_id
        self.project_id = project_id
        self.phase = SessionPhase.DIVERGE.value
        self.ideas: set[str] = set()
        self.groups = 0
        self.votes: set[tuple[str, str]] = set()

    def _in(self, phase: SessionPhase, doing: str) -> None:
        if self.phase != phase:
            raise invalid_state(f"The session is in {self.phase}: ideas are {doing} only in {phase}.")

    def _ideas(self, idea_ids: Sequence[str], field: str) -> list[str]:
        for i, idea in enumerate(idea_ids):
            if idea not in self.ideas:
                raise invalid(f"The session has no idea {idea}.", field, i)
        return list(dict.fromkeys(idea_ids))

    def list_idea(self, text: str, by: str) -> str:
        self._in(SessionPhase.DIVERGE, "listed")
        if len(self.ideas) >= MAX_IDEAS:
            raise invalid(f"A session has at most {MAX_IDEAS} ideas.", "text")
        idea_id = f"i{len(self.ideas) + 1}"
        self._listed(idea_id=idea_id, text=required(text, "text", MAX_TEXT), by=by)
        return idea_id

    @event(IdeaListed)
    def _listed(self, idea_id: str, text: str, by: str) -> None:
        self.ideas.add(idea_id)

    def converge(self) -> None:
        self._in(SessionPhase.DIVERGE, "gathered")
        if not self.ideas:
            raise invalid_state("List some ideas before converging.")
        self._converging()

    @event(ConvergenceBegun)
    def _converging(self) -> None:
        self.phase = SessionPhase.CONVERGE.value

    def group(self, name: str, idea_ids: Sequence[str]) -> str:
        self._in(SessionPhase.CONVERGE, "grouped")
        if not idea_ids:
            raise invalid("A group has at least one idea.", "ideaIds")
        group_id = f"g{self.groups + 1}"
        self._grouped(group_id=group_id, name=required(name, "name", MAX_TITLE),
                      idea_ids=self._ideas(idea_ids, "ideaIds"))
        return group_id

    @event(IdeasGrouped)
    def _grouped(self, group_id: str, name: str, idea_ids: list[str]) -> None:
        self.groups += 1

    def vote(self, idea_id: str, voter: str) -> None:
        self._in(SessionPhase.CONVERGE, "voted on")
        self._ideas([idea_id], "ideaId")
        if (idea_id, voter) in self.votes:
            raise DomainError(f"{voter} has already voted for {idea_id}: one vote each.", field="ideaId",
                              code="INVALID")
        self._voted(idea_id=idea_id, voter=voter)

    @event(IdeaVoted)
    def _voted(self, idea_id: str, voter: str) -> None:
        self.votes.add((idea_id, voter))

    def close(self, chosen: Sequence[str], reason: str) -> None:
        self._in(SessionPhase.CONVERGE, "chosen")
        if not chosen:
            raise invalid("Choose at least one idea to test.", "chosenIdeaIds")
        self._closed(chosen=self._ideas(chosen, "chosenIdeaIds"), reason=required(reason, "reason", MAX_TEXT))

    @event(IdeaSessionClosed)
    def _closed(self, chosen: list[str], reason: str) -> None:
        self.phase = SessionPhase.CLOSED.value
