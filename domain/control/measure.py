"""A measure: its definition, its observations over time, and the decisions that shape its SPC chart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import repeat
from typing import TYPE_CHECKING, Any
from uuid import UUID

import numpy as np
from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.control.columns import (
    DAY,
    DayIndex,
    PeriodColumn,
    SourceIds,
    ValueColumn,
    canonical_days,
    sorted_days,
)
from domain.control.observations import (
    MAX_SOURCE_ID,
    VALUE_CHARTS,
    ObservationIn,
    check_observation,
)
from domain.control.sources import SourceIndex, digests
from domain.control.vocabulary import ChartType, Direction, Frequency, MeasureKind
from domain.errors import DomainError, InvalidInput
from domain.planning.coding import checked_codes, pairs
from domain.planning.team import clean_name
from domain.text import check_text

ASPECT = Aspect.CONTROL

KINDS = tuple(MeasureKind)
DIRECTIONS = tuple(Direction)
CHART_TYPES = tuple(ChartType)
FREQUENCIES = tuple(Frequency)
RUN_LENGTHS = range(6, 9)
MAX_REASON = 2000

Stored = tuple[float | None, float | None, float | None]

if TYPE_CHECKING:
    from collections.abc import Collection

    from domain.planning.specification import Specification


@dataclass(frozen=True, slots=True)
class MeasureDefinition:
    """What a team decided to measure and how to chart it."""

    team_id: str
    name: str
    kind: str
    direction: str
    chart_type: str = "XMR"
    frequency: str = "MONTH"
    unit: str | None = None
    target: float | None = None
    shift_run_length: int = 6
    trend_run_length: int = 6
    # (system, code) pairs intake matches on (FHIR); stored as {"system", "code"}. That no other measure holds a
    # pair is the command's to check (domain/planning/coding.py), since it takes the other measures to know.
    codes: tuple[dict[str, str], ...] = ()

    def checked(self) -> MeasureDefinition:
        for value, allowed, name in ((self.kind, KINDS, "kind"), (self.direction, DIRECTIONS, "improvementDirection"),
                                     (self.chart_type, CHART_TYPES, "chartType"),
                                     (self.frequency, FREQUENCIES, "frequency")):
            if value not in allowed:
                raise InvalidInput(f"{name} must be one of {', '.join(allowed)}.", field=name)
        for length, name in ((self.shift_run_length, "shiftRunLength"), (self.trend_run_length, "trendRunLength")):
            if length not in RUN_LENGTHS:
                raise InvalidInput(f"{name} must be 6, 7 or 8, not {length}.", field=name, code="OUT_OF_RANGE")
        check_target(self.target)
        if self.unit is not None:
            check_text(self.unit, "unit")
        if self.unit is not None and len(self.unit) > 50:
            raise InvalidInput("unit has at most 50 characters.", field="unit", code="TOO_LONG")
        codes = tuple(checked_codes(pairs(self.codes)))
        return replace(self, name=clean_name(self.name), codes=codes)


def check_target(target: float | None) -> None:
    if target is not None and not math.isfinite(target):
        raise InvalidInput(f"target must be a finite number, not {target}.", field="target", code="NOT_FINITE")


def check_reason(reason: str) -> str:
    cleaned = check_text(reason, "reason").strip()
    if not cleaned:
        raise InvalidInput("A reason is required: the history must say why.", field="reason", code="REQUIRED")
    if len(cleaned) > MAX_REASON:
        raise InvalidInput(f"reason has at most {MAX_REASON} characters.", field="reason", code="TOO_LONG")
    return cleaned


@dataclass(slots=True)
class RecordOutcome:
    """What a batch of observations did: counts, and one error per rejected item."""

    accepted: int = 0
    duplicates: int = 0
    corrected: int = 0
    errors: list[DomainError] = field(default_factory=list)


class Measure(Aggregate):
    """A measure of one team, watched over time on an SPC chart."""

    class MeasureDefined(Aggregate.Created):
        definition: dict[str, Any]

    @classmethod
    def define(cls, *, measure_id: UUID, definition: MeasureDefinition) -> Measure:
        checked = definition.checked()
        return cls._create(cls.MeasureDefined, id=measure_id, definition=dict(_asdict(checked)))

    @event(MeasureDefined)
    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = MeasureDefinition(**definition)
        self.target = self.definition.target
        self._points: dict[str, Stored] = {}
        # Batches the fast path recorded, merged into _points on first need: a feed's batch then costs no Python
        # object per value. _days: the recorded periods as sorted day numbers, for its duplicate check.
        self._unmerged: list[tuple[PeriodColumn, ValueColumn]] = []
        self._days: DayIndex | None = None
        # Source ids as recorded (lists), merged into a set when a decision needs them one by one (sources); the
        # fast path checks a batch against their digests instead (_source_index, made on first need).
        self._source_lists: list[Sequence[str | None]] = []
        self._sources: set[str] | None = None
        self._source_index: SourceIndex | None = None
        self.recalculations: list[str] = []
        self.baseline_points = 0

    # -- observations ---------------------------------------------------------------------------------------
    def record(self, observations: list[ObservationIn]) -> RecordOutcome:
        """Store new values and corrections; count duplicates; reject bad items one by one."""
        outcome = RecordOutcome()
        d = self.definition
        chart_type, frequency = d.chart_type, d.frequency
        known_points, known_sources = self.points, self.sources
        periods: list[str] = []
        stored: list[Stored] = []
        source_ids: list[str | None] = []
        notes: list[str | None] = []
        corrected: list[int] = []
        pending: dict[str, Stored] = {}
        pending_sources: set[str] = set()
        duplicates = 0
        for i, obs in enumerate(observations):  # a hot loop: tens of thousands of items a second
            try:
                triple = check_observation(obs, chart_type, frequency)
            except DomainError as e:
                e.index = i
                outcome.errors.append(e)
                continue
            sid = obs.source_id
            if sid is not None and (sid in known_sources or sid in pending_sources):
                duplicates += 1
                continue
            key = obs.period.isoformat()
            before = pending.get(key) or known_points.get(key)
            if before is not None:
                if before == triple and obs.note is None:
                    duplicates += 1
                    continue
                if before != triple:
                    corrected.append(len(periods))
            pending[key] = triple
            if sid is not None:
                pending_sources.add(sid)
            periods.append(key)
            stored.append(triple)
            source_ids.append(sid)
            notes.append(obs.note)
        outcome.duplicates = duplicates
        outcome.corrected = len(corrected)
        outcome.accepted = len(periods) - len(corrected)
        if periods:
            ratio = d.chart_type in ("P", "U")
            self._observations_recorded(
                periods=periods,
                values=None if ratio else [s[0] for s in stored],
                numerators=[s[1] for s in stored] if ratio else None,
                denominators=[s[2] for s in stored] if ratio else None,
                source_ids=source_ids if any(s is not None for s in source_ids) else None,
                notes=notes if any(n is not None for n in notes) else None,
                corrected=corrected,
            )
        return outcome

    def record_values(self, periods: PeriodColumn | Sequence[str],
                      values: ValueColumn | np.ndarray | Sequence[float],
                      source_ids: Sequence[str] | None) -> RecordOutcome | None:
        """The fast path for the common batch: plain values, all new, all valid. It decides with whole-column
        checks (numpy, the source ids' digests) instead of a Python step per item, and answers None whenever anything
        needs the item-by-item path of `record`, which then gives the same answer with its reasons. A column
        parser passes its checked days as a PeriodColumn and its values as a ValueColumn (a float64 array, marked
        when the parser found them all finite); they go into the event as they are (no Python object per value)."""
        d = self.definition
        n = len(periods)
        if n == 0 or d.chart_type not in VALUE_CHARTS or d.frequency == "QUARTER" or len(values) != n:
            return None
        ordered: np.ndarray
        if isinstance(periods, PeriodColumn) and periods.increasing and periods.ordered is not None:
            days, ordered = periods.days, periods.ordered  # measured by its maker: in range, in order, no repeats
            kept = periods
        else:
            found = periods.days if isinstance(periods, PeriodColumn) else canonical_days(periods)
            if found is None:
                return None
            days, checked = found, sorted_days(found)
            if checked is None or (checked[1:] == checked[:-1]).any():  # out of range, or repeats
                return None
            ordered = checked
            kept = PeriodColumn(days, ordered)
        if isinstance(values, ValueColumn) and values.finite:  # measured by its maker
            column, kept_values = values.values, values
        else:
            try:
                column = np.asarray(values, dtype=np.float64)
            except (ValueError, TypeError):
                return None
            if not np.isfinite(column).all():
                return None
            kept_values = ValueColumn(column, finite=True)
        if d.frequency == "MONTH" and not (days.astype("datetime64[M]").astype(DAY) == days).all():
            return None
        if d.chart_type in ("C", "G", "T") and not (column >= 0).all():
            return None
        index = self._day_index()
        if index.last is not None and ordered[0] <= index.last:  # a feed's usual batch comes after every known day
            known = index.days
            if (known[np.minimum(np.searchsorted(known, ordered), known.size - 1)] == ordered).any():
                return None  # duplicates or corrections: decided one by one
        if source_ids is not None:
            if isinstance(source_ids, SourceIds):  # a column reader's come measured
                if source_ids.nul or source_ids.shortest == 0 or source_ids.longest > MAX_SOURCE_ID:
                    return None
                found = source_ids.digests
            else:
                source_ids = list(source_ids)
                if "\x00" in "".join(source_ids) or "" in source_ids or max(map(len, source_ids)) > MAX_SOURCE_ID:
                    return None
                found = digests(source_ids)
            if not self._sources_index().add_new(found):
                return None  # a repeated or known id (or two ids sharing a digest): decided one by one
        self._record_columns(kept, kept_values, source_ids)
        return RecordOutcome(accepted=n)

    def _record_columns(self, periods: PeriodColumn, values: ValueColumn, source_ids: Sequence[str] | None) -> None:
        """The fast path's event, made and applied as trigger_event does (the next version, a timestamp, the same
        method applying it, the aggregate's version and time moved on, the event pending), without its generic
        steps: copying and filtering the arguments by the method's signature, and checking that the event is this
        aggregate's next, which it is by construction. They cost about half of the decision's own time; replaying
        the stored event goes through eventsourcing's own path to the same method."""
        recorded = self.ObservationsRecorded  # type: ignore[attr-defined]  # made by @event below
        new = recorded(originator_id=self.id, originator_version=self.version + 1,
                       timestamp=recorded.create_timestamp(), periods=periods, values=values, numerators=None,
                       denominators=None, source_ids=source_ids, notes=None, corrected=[])
        self._apply_recorded(periods, values, None, None, source_ids, indexed=True)
        self.version = new.originator_version
        self.modified_on = new.timestamp
        self.pending_events.append(new)

    @event("ObservationsRecorded")
    def _observations_recorded(self, periods: PeriodColumn | list[str],
                               values: ValueColumn | list[float | None] | None,
                               numerators: list[float | None] | None, denominators: list[float | None] | None,
                               source_ids: list[str | None] | None, notes: list[str | None] | None,
                               corrected: list[int]) -> None:
        self._apply_recorded(periods, values, numerators, denominators, source_ids)

    def _apply_recorded(self, periods: PeriodColumn | list[str], values: ValueColumn | list[float | None] | None,
                        numerators: list[float | None] | None, denominators: list[float | None] | None,
                        source_ids: Sequence[str | None] | None, *, indexed: bool = False) -> None:
        """`indexed`: the source ids are in the fast path's index already (it put them there as it decided)."""
        if isinstance(values, list) and isinstance(periods, PeriodColumn) and numerators is None \
                and denominators is None and None not in values:  # a stored run of days, read back (see codec)
            values = ValueColumn(np.array(values, dtype=np.float64))
        if isinstance(periods, PeriodColumn) and isinstance(values, ValueColumn):  # the fast path's columns: kept
            self._unmerged.append((periods, values))  # as they are until a decision needs them as a dict (points)
            if self._days is not None:
                self._days.add(periods.days.view(np.int64), periods.ordered)
        else:
            n = len(periods)
            empty: list[None] = [None] * n
            self.points.update(zip(periods, zip(values or empty, numerators or empty, denominators or empty,
                                                strict=True), strict=True))
            self._days = None  # made again from the points when the fast path next needs it
        if source_ids is not None:
            self._source_lists.append(source_ids)  # merged into the set of ids when one is needed (sources)
            if self._source_index is not None and not indexed:
                self._source_index.add(digests([i for i in source_ids if i is not None]))

    @property
    def points(self) -> dict[str, Stored]:
        """Each recorded period's (value, numerator, denominator), the last recorded winning."""
        if self._unmerged:
            for periods, values in self._unmerged:
                self._points.update(zip(periods.tolist(), zip(values.tolist(), repeat(None), repeat(None)),
                                        strict=True))
            self._unmerged.clear()
        return self._points

    @property
    def sources(self) -> set[str]:
        """Every source id recorded."""
        if self._sources is None:
            self._sources = set()
        if self._source_lists:
            for ids in self._source_lists:
                self._sources.update(ids)  # type: ignore[arg-type]  # at C speed; then drop None (no source id)
            self._sources.discard(None)  # type: ignore[arg-type]
            self._source_lists.clear()
        return self._sources

    def _sources_index(self) -> SourceIndex:
        """The digests of every source id recorded (made once, then kept up to date)."""
        if self._source_index is None:
            known = [i for ids in self._source_lists for i in ids if i is not None]
            known.extend(self._sources or ())
            self._source_index = SourceIndex([digests(known)])
        return self._source_index

    def _day_index(self) -> DayIndex:
        """Every recorded period as a sorted int32 day number (made once, then kept up to date)."""
        if self._days is None:
            self._days = DayIndex(np.array(list(self.points), dtype=DAY).view(np.int64))
        return self._days

    # -- chart decisions ------------------------------------------------------------------------------------
    def recalculate_limits(self, from_period: date, reason: str) -> None:
        key = from_period.isoformat()
        if key in self.recalculations:
            raise InvalidInput(f"Limits are already recalculated from {key}.", field="fromPeriod",
                               code="ALREADY_RECALCULATED")
        if self.points and key <= min(self.points):
            raise InvalidInput(f"fromPeriod {key} is not after the first observation; a recalculation starts a "
                               "new phase after the first.", field="fromPeriod", code="OUT_OF_RANGE")
        self._limits_recalculated(from_period=key, reason=check_reason(reason))

    @event("LimitsRecalculated")
    def _limits_recalculated(self, from_period: str, reason: str) -> None:
        self.recalculations = sorted([*self.recalculations, from_period])

    def set_baseline(self, points: int, reason: str) -> None:
        if not 0 <= points <= 10_000:
            raise InvalidInput(f"points must be between 0 (no baseline) and 10000, not {points}.", field="points",
                               code="OUT_OF_RANGE")
        if 0 < points < 2:
            raise InvalidInput("A baseline needs at least 2 points to compute limits.", field="points",
                               code="OUT_OF_RANGE")
        self._baseline_set(points=points, reason=check_reason(reason))

    @event("BaselineSet")
    def _baseline_set(self, points: int, reason: str) -> None:
        self.baseline_points = points

    def set_target(self, target: float | None, reason: str, effective_from: date | None = None) -> None:
        """Set the target from a period on (None: for every period); earlier targets stay in force before it."""
        check_target(target)
        self._target_set(target=target, reason=check_reason(reason),
                         effective_from=effective_from.isoformat() if effective_from else None)

    @event("TargetSet")
    def _target_set(self, target: float | None, reason: str, effective_from: str | None) -> None:
        self.target = target

    # -- the full definition (planning) -------------------------------------------------------------------
    def specify(self, specification: Specification, codes_in_use: Collection[tuple[str, str]], reason: str) -> None:
        """Define the measure fully (owner, numerator, denominator, inclusions, exclusions, data source, codes),
        or change that definition: each change is an event with its reason."""
        self._specified(specification=specification.checked(codes_in_use), reason=check_reason(reason))

    @event("MeasureSpecified")
    def _specified(self, specification: dict[str, Any], reason: str) -> None:
        self.specification = specification


def _asdict(d: MeasureDefinition) -> dict[str, Any]:
    stored = {name: getattr(d, name) for name in d.__dataclass_fields__}
    if not stored["codes"]:
        del stored["codes"]  # a measure without codes is stored as before codes existed
    else:
        stored["codes"] = list(stored["codes"])
    return stored
