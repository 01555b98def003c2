"""Which measure a (system, code) pair identifies: claimed on the pair's own stream before a measure is defined
or specified with it, released when the measure no longer has it. Racing commands meet on the claim's stream
version, so a pair never ends up on two measures (see domain/planning/coding.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.control.measure import Measure
from domain.errors import InvalidInput
from domain.planning.coding import CodeClaim, claim_id, pairs
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.streams import fresh

Pair = tuple[str, str]


def codes_of(measure: Measure) -> list[Pair]:
    """The measure's codes now: its specification's when it has one, else those it was defined with."""
    specification = getattr(measure, "specification", None)
    return pairs(specification["codes"] if specification is not None else measure.definition.codes)


async def refuse_taken(services: Services, measure_id: str, wanted: Sequence[Pair]) -> None:
    """INVALID (field codes, with the index) for a pair the read model gives to another measure: the claims hold
    every pair given since they exist, the read model also those given before."""
    if not wanted:
        return
    async with services.pool.acquire() as conn:
        rows = await conn.fetch("SELECT system, code FROM measure_codes WHERE measure_id <> $1 AND "
                                "(system, code) IN (SELECT * FROM unnest($2::text[], $3::text[]))", measure_id,
                                [p[0] for p in wanted], [p[1] for p in wanted])
    taken = {(r[0], r[1]) for r in rows}
    for i, pair in enumerate(wanted):
        if pair in taken:
            raise InvalidInput(f"Code {pair[1]} of {pair[0]} already identifies a measure.", field="codes", index=i,
                               code="INVALID")


async def _holder_let_go(services: Services, holder: str, pair: Pair) -> bool:
    """A claim whose measure exists and no longer has the pair is stale (a release that never ran): it may be
    taken. A holder not yet saved (its definition under way) still holds it."""
    measure = await fresh(services, holder)  # the claim's lock is held: no second lock
    return isinstance(measure, Measure) and pair not in codes_of(measure)


async def claim_codes(services: Services, ctx: CommandContext, measure_id: str, team_id: str,
                      wanted: Sequence[Pair], indexes: Sequence[int] | None = None) -> list[Pair]:
    """Claim each pair for the measure; the pairs newly claimed (to release if the measure's command then fails).
    INVALID naming the index of a pair another measure holds, with nothing of this call left claimed."""
    claimed: list[Pair] = []
    meta = ctx.meta(team_id=team_id)
    try:
        for n, pair in enumerate(wanted):
            index = indexes[n] if indexes is not None else n

            async def work(claim: Any, pair: Pair = pair, index: int = index) -> bool:
                if claim is None:
                    claim = CodeClaim.claim_new(system=pair[0], code=pair[1], measure_id=measure_id)
                else:
                    holder = claim.measure_id
                    if holder not in (None, measure_id) and await _holder_let_go(services, holder, pair):
                        claim.release(holder)
                    claim.claim(measure_id, index)
                if not claim.pending_events:
                    return False
                await services.repository.save(claim, meta)
                return True

            if await services.repository.update(str(claim_id(*pair)), work):
                claimed.append(pair)
    except BaseException:
        await release_codes(services, ctx, measure_id, team_id, claimed)
        raise
    return claimed


async def release_codes(services: Services, ctx: CommandContext, measure_id: str, team_id: str,
                        released: Sequence[Pair]) -> None:
    meta = ctx.meta(team_id=team_id)
    for pair in released:
        async def work(claim: Any) -> None:
            if isinstance(claim, CodeClaim):
                claim.release(measure_id)
                if claim.pending_events:
                    await services.repository.save(claim, meta)

        await services.repository.update(str(claim_id(*pair)), work)
