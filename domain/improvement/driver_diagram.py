"""A project's driver diagram: the aim, primary drivers, secondary drivers and change ideas, as a graph edited
over time (every edit an event, so it can be shown as it stood at any time); each change idea linked to the PDSA
cycles that test it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.improvement.rules import MAX_TEXT, invalid, invalid_state, required
from domain.improvement.vocabulary import DriverKind

MAX_NODES = 500
PARENT_KINDS = {DriverKind.PRIMARY: {DriverKind.AIM}, DriverKind.SECONDARY: {DriverKind.PRIMARY},
                DriverKind.CHANGE_IDEA: {DriverKind.SECONDARY, DriverKind.PRIMARY}}
AIM_NODE = "aim"


class DriverDiagram(Aggregate):
    """One project's driver diagram. Nodes have ids of the diagram ("aim", "n1", "n2", ...)."""

    class DiagramDrawn(Aggregate.Created):
        project_id: str
        team_id: str
        aim: str

    class DriverAdded(Aggregate.Event):
        node_id: str
        kind: str
        text: str
        parents: list[str]

    class DriverReworded(Aggregate.Event):
        node_id: str
        text: str

    class DriversLinked(Aggregate.Event):
        node_id: str
        parent_id: str

    class DriversUnlinked(Aggregate.Event):
        node_id: str
        parent_id: str

    class DriverRemoved(Aggregate.Event):
        node_id: str

    class ChangeIdeaTested(Aggregate.Event):
        node_id: str
        cycle_id: str

    @classmethod
    def draw(cls, *, diagram_id: UUID, project_id: str, team_id: str, aim: str, project_closed: bool) -> DriverDiagram:
        if project_closed:
            raise invalid_state("The project is closed: it gets no new driver diagram.")
        return cls._create(cls.DiagramDrawn, id=diagram_id, project_id=project_id, team_id=team_id,
                           aim=required(aim, "aim", MAX_TEXT))

    @event(DiagramDrawn)
    def __init__(self, project_id: str, team_id: str, aim: str) -> None:
        self.project_id = project_id
        self.team_id = team_id
        self.kinds: dict[str, str] = {AIM_NODE: DriverKind.AIM.value}
        self.parents: dict[str, set[str]] = {AIM_NODE: set()}
        self.cycles: dict[str, set[str]] = {}
        self.added = 0

    def _node(self, node_id: str, field: str = "nodeId") -> str:
        if node_id not in self.kinds:
            raise invalid(f"The diagram has no node {node_id}.", field)
        return self.kinds[node_id]

    def _check_parent(self, kind: str, parent_id: str, field: str, index: int | None = None) -> None:
        parent_kind = self.kinds.get(parent_id)
        if parent_kind is None:
            raise invalid(f"The diagram has no node {parent_id}.", field, index)
        if parent_kind not in PARENT_KINDS[DriverKind(kind)]:
            raise invalid(f"A {kind} hangs from {' or '.join(sorted(PARENT_KINDS[DriverKind(kind)]))}, not "
                          f"{parent_kind}.", field, index)

    def add(self, kind: str, text: str, parents: Sequence[str]) -> str:
        """Add a driver or change idea under its parents; answers its node id."""
        if kind not in DriverKind.__members__ or kind == DriverKind.AIM:
            raise invalid(f"kind is one of PRIMARY, SECONDARY and CHANGE_IDEA, not {kind}.", "kind")
        if len(self.kinds) >= MAX_NODES:
            raise invalid(f"A diagram has at most {MAX_NODES} nodes.", "kind")
        if not parents:
            raise invalid("A node hangs from at least one node one level up.", "parentIds")
        for i, parent in enumerate(parents):
            self._check_parent(kind, parent, "parentIds", i)
        node_id = f"n{self.added + 1}"
        self._added(node_id=node_id, kind=kind, text=required(text, "text", MAX_TEXT), parents=list(dict.fromkeys(
            parents)))
        return node_id

    @event(DriverAdded)
    def _added(self, node_id: str, kind: str, text: str, parents: list[str]) -> None:
        self.added += 1
        self.kinds[node_id] = kind
        self.parents[node_id] = set(parents)

    def reword(self, node_id: str, text: str) -> None:
        self._node(node_id)
        self._reworded(node_id=node_id, text=required(text, "text", MAX_TEXT))

    @event(DriverReworded)
    def _reworded(self, node_id: str, text: str) -> None:
        pass

    def link(self, node_id: str, parent_id: str) -> None:
        kind = self._node(node_id)
        if kind == DriverKind.AIM:
            raise invalid("The aim hangs from nothing.", "nodeId")
        self._check_parent(kind, parent_id, "parentId")
        if parent_id in self.parents[node_id]:
            raise invalid_state(f"{node_id} already hangs from {parent_id}.")
        self._linked(node_id=node_id, parent_id=parent_id)

    @event(DriversLinked)
    def _linked(self, node_id: str, parent_id: str) -> None:
        self.parents[node_id].add(parent_id)

    def unlink(self, node_id: str, parent_id: str) -> None:
        self._node(node_id)
        if parent_id not in self.parents[node_id]:
            raise invalid_state(f"{node_id} does not hang from {parent_id}.")
        if len(self.parents[node_id]) == 1:
            raise invalid_state(f"{parent_id} is the only node {node_id} hangs from: remove {node_id} instead.")
        self._unlinked(node_id=node_id, parent_id=parent_id)

    @event(DriversUnlinked)
    def _unlinked(self, node_id: str, parent_id: str) -> None:
        self.parents[node_id].discard(parent_id)

    def remove(self, node_id: str) -> None:
        if self._node(node_id) == DriverKind.AIM:
            raise invalid("The aim stays: reword it instead.", "nodeId")
        children = [n for n, ps in self.parents.items() if node_id in ps]
        if children:
            raise invalid_state(f"{node_id} has nodes hanging from it ({', '.join(sorted(children))}): move or "
                                "remove them first.")
        self._removed(node_id=node_id)

    @event(DriverRemoved)
    def _removed(self, node_id: str) -> None:
        del self.kinds[node_id]
        del self.parents[node_id]
        self.cycles.pop(node_id, None)

    def tested_by(self, node_id: str, cycle_id: str, cycle_project_id: str) -> None:
        """Link a change idea to a PDSA cycle of the same project that tests it."""
        if self._node(node_id) != DriverKind.CHANGE_IDEA:
            raise invalid(f"{node_id} is not a change idea.", "nodeId")
        if cycle_project_id != self.project_id:
            raise invalid(f"Cycle {cycle_id} is not a cycle of the diagram's project.", "cycleId")
        if cycle_id in self.cycles.get(node_id, set()):
            raise invalid_state(f"{node_id} is already linked to cycle {cycle_id}.")
        self._tested(node_id=node_id, cycle_id=cycle_id)

    @event(ChangeIdeaTested)
    def _tested(self, node_id: str, cycle_id: str) -> None:
        self.cycles.setdefault(node_id, set()).add(cycle_id)
