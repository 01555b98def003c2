"""The signal command: a person acknowledges a signal with a note (a second acknowledgement: INVALID_STATE)."""

from __future__ import annotations

from domain.control.signal import Signal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.commands.context import CommandContext
from service.commands.control import on


async def acknowledge_signal(services: Services, ctx: CommandContext, signal_id: str, note: str) -> tuple[str, int]:
    async def work(signal: Signal) -> tuple[str, int]:
        authorize(ctx.principal, "signal.acknowledge", signal.team_id)
        signal.acknowledge(note)
        saved = await services.repository.save(signal, ctx.meta(team_id=signal.team_id))
        return signal_id, saved.position

    return await on(services, Signal, signal_id, "signalId", work)
