"""A signal: the service's own note that a measure's chart turned (a special cause, or an assurance icon that
changed), waiting for a person to acknowledge it. Its id is derived from what raised it, so raising it again (a
second projection process, a rebuild) names the same stream and stores nothing new."""

from __future__ import annotations

from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.control.rules import invalid_state, required

ASPECT = Aspect.CONTROL

MAX_NOTE = 2000
_NAMESPACE = uuid5(NAMESPACE_URL, "https://qms.example/signals")


class SignalKind(StrEnum):
    CONCERN = "CONCERN"
    IMPROVEMENT = "IMPROVEMENT"


class SignalStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"


def signal_id(measure_id: str, position: int, kind: str, basis: str) -> UUID:
    """The one id of the signal a recording (the event at `position`) raises on a measure: the same inputs, the
    same id, in every process and every replay."""
    return uuid5(_NAMESPACE, f"{measure_id}/{position}/{kind}/{basis}")


class Signal(Aggregate):
    """One signal of one measure, raised by the service when a recording turned its chart."""

    class SignalRaised(Aggregate.Created):
        team_id: str
        measure_id: str
        period: str          # the latest point's period, as an ISO date
        kind: str            # SignalKind
        basis: str           # VARIATION (a special cause) or ASSURANCE (the assurance icon turned)
        rules: list[str]     # the SPC rules the point broke (none for an assurance turn)
        detail: str          # e.g. "CONSISTENT_PASS -> HIT_AND_MISS"
        cause_position: int  # the log position of the recording that raised it
        raised_at: str       # when that recording was made (ISO instant): replays give the same value

    @classmethod
    def raise_signal(cls, *, team_id: str, measure_id: str, period: str, kind: str, basis: str, rules: list[str],
                     detail: str, cause_position: int, raised_at: str) -> Signal:
        return cls._create(cls.SignalRaised, id=signal_id(measure_id, cause_position, kind, basis), team_id=team_id,
                           measure_id=measure_id, period=period, kind=SignalKind(kind).value, basis=basis,
                           rules=list(rules), detail=detail, cause_position=cause_position, raised_at=raised_at)

    @event(SignalRaised)
    def __init__(self, team_id: str, measure_id: str, period: str, kind: str, basis: str, rules: list[str],
                 detail: str, cause_position: int, raised_at: str) -> None:
        self.team_id, self.measure_id, self.period, self.kind = team_id, measure_id, period, kind
        self.basis, self.rules, self.detail = basis, rules, detail
        self.cause_position, self.raised_at = cause_position, raised_at
        self.status = SignalStatus.OPEN
        self.note: str | None = None

    def acknowledge(self, note: str) -> None:
        if self.status is not SignalStatus.OPEN:
            raise invalid_state("The signal is already acknowledged.")
        self._acknowledged(note=required(note, "note", MAX_NOTE))

    @event("SignalAcknowledged")
    def _acknowledged(self, note: str) -> None:
        self.status = SignalStatus.ACKNOWLEDGED
        self.note = note
