"""Planning and control commands on measures: define, record observations, and chart decisions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar
from uuid import uuid4

from domain.control.measure import Measure, MeasureDefinition, RecordOutcome
from domain.control.observations import ObservationIn
from domain.errors import InvalidInput, NotFound
from domain.planning.coding import pairs
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.codes import claim_codes, refuse_taken, release_codes
from service.commands.context import CommandContext
from service.commands.idempotency import first_results
from service.commands.integrations import check_integration_writes
from service.commands.results import RecordResult, error_dict
from service.commands.streams import stream_is
from service.ids import valid_uuid

T = TypeVar("T")


async def define_measure(services: Services, ctx: CommandContext, definition: MeasureDefinition) -> tuple[str, int]:
    authorize(ctx.principal, "measure.define", definition.team_id)
    if not await stream_is(services, definition.team_id, "Team"):
        raise InvalidInput(f"No team has id {definition.team_id}.", field="teamId", code="NOT_FOUND")
    measure = Measure.define(measure_id=uuid4(), definition=definition)
    measure_id, codes = str(measure.id), pairs(measure.definition.codes)
    await refuse_taken(services, measure_id, codes)
    claimed = await claim_codes(services, ctx, measure_id, definition.team_id, codes)
    try:
        result = await services.repository.save(measure, ctx.meta(team_id=definition.team_id))
    except BaseException:
        await release_codes(services, ctx, measure_id, definition.team_id, claimed)
        raise
    return measure_id, result.position


async def _on_measure(services: Services, measure_id: str, work: Callable[[Measure], Awaitable[T]]) -> T:
    """Run a command on the measure (see Repository.update), or raise NotFound."""
    if not valid_uuid(measure_id):
        raise NotFound(f"No measure has id {measure_id}.", field="measureId")

    async def checked(measure: Any) -> T:
        if not isinstance(measure, Measure):
            raise NotFound(f"No measure has id {measure_id}.", field="measureId")
        return await work(measure)

    return await services.repository.update(measure_id, checked)


async def record_observations(services: Services, ctx: CommandContext, measure_id: str,
                              observations: list[ObservationIn], idempotency_key: str | None = None,
                              used: dict[str, bytes] | None = None,
                              may_write: Callable[[str], None] | None = None) -> RecordResult:
    """Store a batch for one measure; a retry with the same key answers with the first result."""
    result = await record_decision(services, ctx, measure_id, idempotency_key, lambda m: m.record(observations), used,
                                   may_write)
    assert result is not None  # record() always decides
    return result


async def record_decision(services: Services, ctx: CommandContext, measure_id: str, idempotency_key: str | None,
                  decide: Callable[[Measure], RecordOutcome | None], used: dict[str, bytes] | None = None,
                  may_write: Callable[[str], None] | None = None) -> RecordResult | None:
    """Run one recording decision on the measure and save what it decided; a key already used answers with its
    first result. None when `decide` steps aside (a fast path that needs the item-by-item one). `used`: the keys
    already looked up (see _first_results), so a bulk request asks once for all its parts; a key used after the
    look-up is still caught when the save finds it. `may_write`: an integration's scope read once for a request's
    many measures (see integration_writes); else it is read for this command."""
    if may_write is None:
        await check_integration_writes(services, ctx.principal, measure_id)
    else:
        may_write(measure_id)
    key = ctx.scoped_key(idempotency_key)
    if key is not None:
        first = used.get(key) if used is not None else (await first_results(services, [key])).get(key)
        if first is not None:
            return RecordResult.from_bytes(first)

    async def work(measure: Measure) -> RecordResult | None:
        team_id = measure.definition.team_id
        authorize(ctx.principal, "observations.record", team_id)
        outcome = decide(measure)
        if outcome is None:
            return None
        result = RecordResult(outcome.accepted, outcome.duplicates, outcome.corrected,
                              [error_dict(e) for e in outcome.errors])
        if measure.pending_events:
            saved = await services.repository.save(measure, ctx.meta(team_id=team_id), idempotency_key=key,
                                                   result=result.to_bytes())
            if saved.replayed is not None:
                return RecordResult.from_bytes(saved.replayed)
            result.position = saved.position
        return result

    return await _on_measure(services, measure_id, work)




async def _decide(services: Services, ctx: CommandContext, measure_id: str, action: str,
                  decide: Callable[[Measure], None], reason: str) -> int:
    async def work(measure: Measure) -> int:
        team_id = measure.definition.team_id
        authorize(ctx.principal, action, team_id)
        decide(measure)
        saved = await services.repository.save(measure, ctx.meta(team_id=team_id, reason=reason.strip()))
        return saved.position

    return await _on_measure(services, measure_id, work)


async def recalculate_limits(services: Services, ctx: CommandContext, measure_id: str, from_period: date,
                             reason: str) -> int:
    return await _decide(services, ctx, measure_id, "limits.recalculate",
                         lambda m: m.recalculate_limits(from_period, reason), reason)


async def set_baseline(services: Services, ctx: CommandContext, measure_id: str, points: int, reason: str) -> int:
    return await _decide(services, ctx, measure_id, "baseline.set", lambda m: m.set_baseline(points, reason), reason)


async def set_target(services: Services, ctx: CommandContext, measure_id: str, target: float | None, reason: str,
                     effective_from: date | None = None) -> int:
    return await _decide(services, ctx, measure_id, "target.set",
                         lambda m: m.set_target(target, reason, effective_from), reason)
