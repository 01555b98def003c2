"""A Pareto analysis: categories with counts (entered directly), sorted largest first, with each one's share and
the cumulative percentage, and the vital few marked: those within 80% cumulative (and always the largest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.improvement.rules import MAX_TEXT, MAX_TITLE, invalid, required

MAX_CATEGORIES = 100
MAX_COUNT = 10**9
VITAL_FEW = 80.0


@dataclass(frozen=True, slots=True)
class ParetoBar:
    name: str
    count: int
    percentage: float
    cumulative_percentage: float
    vital_few: bool


def analyse(categories: Sequence[dict[str, object]]) -> list[ParetoBar]:
    """Sorted largest first (ties by name); the vital few are those whose cumulative percentage is at most 80%,
    and the largest category even when it alone passes 80%."""
    ordered = sorted(categories, key=lambda c: (-int(c["count"]), str(c["name"])))  # type: ignore[call-overload]
    total = sum(int(c["count"]) for c in ordered)  # type: ignore[call-overload]
    bars, running = [], 0
    for i, c in enumerate(ordered):
        count = int(c["count"])  # type: ignore[call-overload]
        running += count
        cumulative = round(100.0 * running / total, 2) if total else 0.0
        bars.append(ParetoBar(str(c["name"]), count, round(100.0 * count / total, 2) if total else 0.0, cumulative,
                              total > 0 and (i == 0 or cumulative <= VITAL_FEW)))
    return bars


def check_categories(categories: Sequence[tuple[str, int]]) -> list[dict[str, object]]:
    if not categories:
        raise invalid("A Pareto chart has at least one category.", "categories")
    if len(categories) > MAX_CATEGORIES:
        raise invalid(f"A Pareto chart has at most {MAX_CATEGORIES} categories.", "categories")
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    for i, (name, count) in enumerate(categories):
        checked = required(name, "categories", MAX_TITLE, index=i)
        if checked.casefold() in seen:
            raise invalid(f"Category {checked} is listed twice.", "categories", i)
        if not 0 <= count <= MAX_COUNT:
            raise invalid(f"A count is from 0 to {MAX_COUNT}.", "categories", i)
        seen.add(checked.casefold())
        out.append({"name": checked, "count": count})
    if not any(c["count"] for c in out):
        raise invalid("The counts add up to nothing.", "categories")
    return out


def failed_criteria(criteria: Sequence[str], results: Sequence[Sequence[bool | None]]) -> list[tuple[str, int]]:
    """An audit's failures per criterion, as Pareto categories (not applicable is not a failure)."""
    counts = [0] * len(criteria)
    for case in results:
        for i, result in enumerate(case[:len(criteria)]):
            if result is False:
                counts[i] += 1
    return list(zip(criteria, counts, strict=True))


class ParetoChart(Aggregate):
    """One Pareto analysis of a team (and, if it serves one, a project)."""

    class ParetoRecorded(Aggregate.Created):
        team_id: str
        project_id: str | None
        title: str
        categories: list[dict[str, object]]
        source_kind: str | None     # where the counts came from: entered directly (None), or AUDIT
        source_id: str | None

    class ParetoCountsRevised(Aggregate.Event):
        categories: list[dict[str, object]]
        reason: str

    @classmethod
    def record(cls, *, pareto_id: UUID, team_id: str, project_id: str | None, title: str,
               categories: Sequence[tuple[str, int]], source: tuple[str, str] | None = None) -> ParetoChart:
        return cls._create(cls.ParetoRecorded, id=pareto_id, team_id=team_id, project_id=project_id,
                           title=required(title, "title", MAX_TITLE), categories=check_categories(categories),
                           source_kind=source[0] if source else None, source_id=source[1] if source else None)

    @event(ParetoRecorded)
    def __init__(self, team_id: str, project_id: str | None, title: str, categories: list[dict[str, object]],
                 source_kind: str | None, source_id: str | None) -> None:
        self.team_id = team_id
        self.project_id = project_id

    def revise(self, categories: Sequence[tuple[str, int]], reason: str) -> None:
        self._revised(categories=check_categories(categories), reason=required(reason, "reason", MAX_TEXT))

    @event(ParetoCountsRevised)
    def _revised(self, categories: list[dict[str, object]], reason: str) -> None:
        pass
