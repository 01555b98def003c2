"""The signals process manager on the real PostgreSQL: a special cause raises one signal; a rebuild, or a second
runner replaying the same history, raises none again."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from projections.base import ProjectedEvent
from projections.signals.projection import SignalProjection
from service.auth.identity import Principal, Role
from service.bootstrap import Services, signal_emitter
from service.commands.context import CommandContext
from service.commands.measures import define_measure, record_observations
from service.commands.teams import create_team
from service.eventstore.projection_runner import rebuild

STABLE = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12]


def months(start: int, values: list[float]) -> list[ObservationIn]:
    return [ObservationIn(date(2020 + (start + i) // 12, (start + i) % 12 + 1, 1), float(v))
            for i, v in enumerate(values)]


async def given_measure(services: Services, name: str) -> tuple[str, CommandContext]:
    leader = CommandContext(Principal("signals-leader", Role.SENIOR_LEADER))
    team = (await create_team(services, leader, name, None)).team_id
    measure, _ = await define_measure(services, leader, MeasureDefinition(team_id=team, name="Falls", kind="OUTCOME",
                                                                          direction="DECREASE"))
    return measure, CommandContext(Principal("signals-feed", Role.INTEGRATION, frozenset([team])))


async def signals_of(services: Services, measure: str) -> list[tuple[Any, ...]]:
    async with services.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch(
            "SELECT signal_id, kind, basis, period, rules, status FROM signals WHERE measure_id = $1 "
            "ORDER BY raised_at, signal_id", measure)]


async def signal_events(services: Services) -> int:
    async with services.pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%Signal.SignalRaised'"))


async def settled(services: Services, names: tuple[str, ...] | None = None) -> None:
    # twice: a signal raised by the first pass is itself an event the read models then apply
    for _ in range(2):
        head = await services.store.head()
        assert await services.wait_for_projections(head, names), [p for p, at in services.notifier.positions.items()
                                                                  if at < head]


async def test_a_special_cause_raises_one_signal_and_more_of_it_raises_none(services: Services) -> None:
    measure, leader = await given_measure(services, "Signals ward 1")
    await record_observations(services, leader, measure, months(0, STABLE))
    await settled(services)
    assert await signals_of(services, measure) == []
    await record_observations(services, leader, measure, months(12, [30]))
    await settled(services)
    [(_, kind, basis, period, rules, status)] = await signals_of(services, measure)
    assert (kind, basis, period, rules, status) == ("CONCERN", "VARIATION", date(2021, 1, 1), ["SINGLE_POINT"],
                                                    "OPEN")
    await record_observations(services, leader, measure, months(13, [31]))  # still a concern: already OPEN
    await settled(services)
    assert len(await signals_of(services, measure)) == 1


async def test_a_rebuild_replays_the_same_signals_and_raises_none_twice(services: Services) -> None:
    measure, leader = await given_measure(services, "Signals ward 2")
    await record_observations(services, leader, measure, months(0, STABLE))
    await record_observations(services, leader, measure, months(12, [30]))
    await record_observations(services, leader, measure, months(13, [10, 11]))
    await record_observations(services, leader, measure, months(15, [-20]))
    await settled(services)
    before, raised = await signals_of(services, measure), await signal_events(services)
    assert [s[1] for s in before] == ["CONCERN", "IMPROVEMENT"]

    for projection in services.projections:  # as `qms rebuild` does, every projection
        services.notifier.positions[projection.name] = 0  # before: a runner with nothing to replay is done at once
        await rebuild(services.pool, projection)
    # what the signals depend on (an idle projection's catch-up after a rebuild can be missed by the notifier)
    await settled(services, ("spc", "control", SignalProjection.name))
    assert await signals_of(services, measure) == before
    assert await signal_events(services) == raised


async def test_a_second_runner_replaying_the_log_appends_nothing(services: Services) -> None:
    """As when a runner appended its signals and lost its lock before its batch committed: whoever runs next
    replays those recordings, decides the same signals and finds them in the log."""
    measure, leader = await given_measure(services, "Signals ward 3")
    await record_observations(services, leader, measure, months(0, STABLE))
    await record_observations(services, leader, measure, months(12, [30]))
    await settled(services)
    head, raised = await services.store.head(), await signal_events(services)
    positions: list[int] = []
    emit = signal_emitter(services.repository)

    async def recording(signals: Any) -> list[int]:
        answered = await emit(signals)
        positions.extend(answered)
        return answered

    second = SignalProjection(recording)
    records = await services.store.read_log(0, 100_000, list(second.topics or ()))
    events = [ProjectedEvent(r.position, r.stream_id, r.recorded_at, r.actor,
                             services.codec.decode(r.stream_id, r.version, r.topic, r.data)) for r in records]
    async with services.pool.acquire() as conn:
        tr = conn.transaction()
        await tr.start()
        try:
            await conn.execute("TRUNCATE signals, signal_watch, signal_watch_points")
            await second.handle(conn, events)
        finally:
            await tr.rollback()
    assert positions and set(positions) == {0}  # every signal was already in the log
    assert await signal_events(services) == raised
    assert await services.store.head() == head
