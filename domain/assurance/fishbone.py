"""A cause-and-effect (fishbone, Ishikawa) diagram: an effect, categories, causes and their sub-causes, and
what it explains (a finding, a signal or an improvement project, by id). Every edit is an event, so the
diagram can be shown as it stood at any time."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, required_text, text_list

LINK_KINDS = ("FINDING", "SIGNAL", "PROJECT")
DEFAULT_CATEGORIES = ("People", "Methods", "Equipment", "Environment", "Materials", "Measurement")
MAX_CAUSES = 500


class Fishbone(Aggregate):
    class DiagramDrawn(Aggregate.Created):
        team_id: str
        effect: str
        categories: list[str]
        drawn_by: str

    @classmethod
    def draw(cls, *, diagram_id: UUID, team_id: str, effect: str, categories: Sequence[str] | None,
             drawn_by: str) -> Fishbone:
        names = list(dict.fromkeys(text_list(categories, "categories", MAX_TITLE))) if categories else list(
            DEFAULT_CATEGORIES)
        return cls._create(cls.DiagramDrawn, id=diagram_id, team_id=team_id,
                           effect=required_text(effect, "effect", MAX_TITLE), categories=names, drawn_by=drawn_by)

    @event(DiagramDrawn)
    def __init__(self, team_id: str, effect: str, categories: list[str], drawn_by: str) -> None:
        self.team_id = team_id
        self.categories = categories
        self.causes: dict[str, dict[str, str | None]] = {}   # id -> category, parent

    def restate_effect(self, effect: str) -> None:
        self._effect_restated(effect=required_text(effect, "effect", MAX_TITLE))

    @event("EffectRestated")
    def _effect_restated(self, effect: str) -> None:
        pass

    def add_category(self, name: str) -> None:
        name = required_text(name, "category", MAX_TITLE)
        if name in self.categories:
            raise InvalidInput(f"The diagram already has the category {name!r}.", field="category", code="INVALID")
        if len(self.categories) >= MAX_ITEMS:
            raise InvalidInput(f"A diagram has at most {MAX_ITEMS} categories.", field="category", code="INVALID")
        self._category_added(name=name)

    @event("CategoryAdded")
    def _category_added(self, name: str) -> None:
        self.categories = [*self.categories, name]

    def add_cause(self, cause_id: str, category: str, text: str, parent_id: str | None = None) -> None:
        """A cause under a category, or a sub-cause under another cause (of the same category)."""
        if category not in self.categories:
            raise InvalidInput(f"The diagram has no category {category!r}.", field="category", code="INVALID")
        if parent_id is not None:
            parent = self.causes.get(parent_id)
            if parent is None:
                raise InvalidInput("The diagram has no such cause.", field="parentCauseId", code="INVALID")
            if parent["category"] != category:
                raise InvalidInput("A sub-cause is in its parent's category.", field="category", code="INVALID")
        if len(self.causes) >= MAX_CAUSES:
            raise InvalidInput(f"A diagram has at most {MAX_CAUSES} causes.", field="text", code="INVALID")
        self._cause_added(cause_id=cause_id, category=category, text=required_text(text, "text", MAX_TITLE),
                          parent_id=parent_id)

    @event("CauseAdded")
    def _cause_added(self, cause_id: str, category: str, text: str, parent_id: str | None) -> None:
        self.causes = {**self.causes, cause_id: {"category": category, "parent": parent_id}}

    def reword_cause(self, cause_id: str, text: str) -> None:
        self._cause(cause_id)
        self._cause_reworded(cause_id=cause_id, text=required_text(text, "text", MAX_TITLE))

    @event("CauseReworded")
    def _cause_reworded(self, cause_id: str, text: str) -> None:
        pass

    def remove_cause(self, cause_id: str) -> None:
        """Remove a cause and, with it, its sub-causes."""
        self._cause(cause_id)
        removed = {cause_id}
        grew = True
        while grew:
            more = {c for c, v in self.causes.items() if v["parent"] in removed} - removed
            grew = bool(more)
            removed |= more
        self._cause_removed(cause_ids=sorted(removed))

    @event("CauseRemoved")
    def _cause_removed(self, cause_ids: list[str]) -> None:
        self.causes = {c: v for c, v in self.causes.items() if c not in cause_ids}

    def link(self, kind: str, target_id: str) -> None:
        """What the diagram explains: a finding, a signal or an improvement project."""
        if kind not in LINK_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(LINK_KINDS)}.", field="kind", code="INVALID")
        self._linked(kind=kind, target_id=required_text(target_id, "targetId", 100))

    @event("DiagramLinked")
    def _linked(self, kind: str, target_id: str) -> None:
        pass

    def _cause(self, cause_id: str) -> None:
        if cause_id not in self.causes:
            raise InvalidInput("The diagram has no such cause.", field="causeId", code="INVALID")
