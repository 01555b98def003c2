"""Which fold each improvement event goes through, and the kind of document it builds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.improvement import diagrams, opportunities, projects, tools

Evolve = Callable[[dict[str, Any] | None, Any, datetime, str], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Fold:
    kind: str                   # the read model's `kind` column: project, cycle, ...
    events: tuple[type, ...]
    evolve: Evolve


FOLDS: tuple[Fold, ...] = (
    Fold("project", projects.PROJECT_EVENTS, projects.evolve_project),
    Fold("cycle", projects.CYCLE_EVENTS, projects.evolve_cycle),
    Fold("opportunity", opportunities.EVENTS, opportunities.evolve),
    Fold("diagram", diagrams.EVENTS, diagrams.evolve),
    Fold("pareto", tools.PARETO_EVENTS, tools.evolve_pareto),
    Fold("flowchart", tools.FLOWCHART_EVENTS, tools.evolve_flowchart),
    Fold("session", tools.SESSION_EVENTS, tools.evolve_session),
)


def fold_of(event: Any) -> Fold | None:
    for fold in FOLDS:
        if isinstance(event, fold.events):
            return fold
    return None


def replay(fold: Fold, events: list[tuple[Any, datetime, str]]) -> dict[str, Any] | None:
    """A document from its events (event, recorded at, actor), oldest first: what `asOf` reads serve."""
    doc: dict[str, Any] | None = None
    for ev, at, actor in events:
        doc = fold.evolve(doc, ev, at, actor)
    return doc
