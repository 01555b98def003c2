"""Commands in two processes on one measure: each process trusts its cached copy only as far as the log allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import numpy as np
import orjson
import pytest

from domain.control.columns import PeriodColumn
from domain.control.measure import MeasureDefinition
from domain.control.observations import ObservationIn
from service.auth.identity import Principal, Role
from service.bootstrap import Services, start_services
from service.commands.context import CommandContext
from service.commands.intake import Columns, record_columns
from service.commands.measures import define_measure, record_observations
from service.commands.teams import create_team
from tests.conftest import settings_for

LEADER = CommandContext(Principal("lead", Role.SENIOR_LEADER))
DAY = date(2024, 1, 1)


@pytest.fixture
async def two(make_database: Callable[[], Awaitable[str]]) -> AsyncIterator[tuple[Services, Services, str, str]]:
    url = await make_database()
    a = await start_services(settings_for(url, run_projections=False))
    b = await start_services(settings_for(url, run_projections=False))
    team = await create_team(a, LEADER, "Ward", None)
    measure, _ = await define_measure(a, LEADER, MeasureDefinition(team.team_id, "Falls", "OUTCOME", "DECREASE",
                                                                    frequency="DAY"))
    yield a, b, team.team_id, measure
    await a.close()
    await b.close()


def member(team: str) -> CommandContext:
    return CommandContext(Principal("nurse", Role.TEAM_MEMBER, frozenset([team])))


async def test_a_write_from_another_process_turns_a_stale_duplicate_into_a_correction(
        two: tuple[Services, Services, str, str]) -> None:
    a, b, team, measure = two
    assert (await record_observations(a, member(team), measure, [ObservationIn(DAY, 5.0)])).accepted == 1
    assert (await record_observations(b, member(team), measure, [ObservationIn(DAY, 7.0)])).corrected == 1
    again = await record_observations(a, member(team), measure, [ObservationIn(DAY, 5.0)])
    assert (again.duplicates, again.corrected) == (0, 1)


async def test_a_stale_cached_copy_conflicts_and_the_command_runs_again_on_fresh_state(
        two: tuple[Services, Services, str, str]) -> None:
    a, b, team, measure = two
    await record_observations(a, member(team), measure, [ObservationIn(DAY, 1.0)])
    await record_observations(b, member(team), measure, [ObservationIn(date(2024, 1, 2), 2.0)])
    result = await record_observations(a, member(team), measure, [ObservationIn(date(2024, 1, 2), 2.0),
                                                                  ObservationIn(date(2024, 1, 3), 3.0)])
    assert (result.accepted, result.duplicates) == (1, 1)
    events = await a.store.read_stream(measure)
    assert [e.version for e in events] == [1, 2, 3, 4]


async def test_readers_of_a_stale_cached_copy_at_once_each_see_it_whole_and_leave_the_cache_sound(
        two: tuple[Services, Services, str, str]) -> None:
    a, b, team, measure = two
    await record_observations(a, member(team), measure, [ObservationIn(DAY, 1.0)])  # a caches the measure
    for day in range(2, 6):
        await record_observations(b, member(team), measure, [ObservationIn(date(2024, 1, day), float(day))])
    readers = [a.repository.load(measure) for _ in range(8)]
    seen = await asyncio.gather(*readers)
    assert {m.version for m in seen} == {6}
    result = await record_observations(a, member(team), measure, [ObservationIn(date(2024, 1, 6), 6.0)])
    assert result.accepted == 1
    assert [e.version for e in await a.store.read_stream(measure)] == [1, 2, 3, 4, 5, 6, 7]


def days(first: int, n: int, start: int = 0) -> Columns:
    """n plain values from 2024-01-(first+1), their request indexes from `start`."""
    periods = np.datetime64("2024-01-01") + first + np.arange(n)
    return list(range(start, start + n)), PeriodColumn(periods), np.arange(n, dtype=np.float64) + first, None


async def test_bulk_intake_on_a_stale_cached_copy_decides_that_measure_again_on_fresh_state(
        two: tuple[Services, Services, str, str]) -> None:
    a, b, team, measure = two
    other, _ = await define_measure(a, LEADER, MeasureDefinition(team, "Sepsis", "OUTCOME", "DECREASE",
                                                                 frequency="DAY"))
    first = await record_columns(a, member(team), {measure: days(0, 1), other: days(0, 1, start=1)}, "k1")
    assert first.accepted == 2  # both measures now cached in a, at version 2
    await record_observations(b, member(team), measure, [ObservationIn(date(2024, 1, 2), 1.0)])
    # a's copy of `measure` lacks b's day: decided together, its save conflicts; that part alone runs again
    result = await record_columns(a, member(team), {measure: days(1, 2), other: days(1, 2, start=2)}, "k2")
    assert (result.accepted, result.duplicates, result.errors) == (3, 1, [])
    assert [e.version for e in await a.store.read_stream(measure)] == [1, 2, 3, 4]
    assert [e.version for e in await a.store.read_stream(other)] == [1, 2, 3]
    again = await record_columns(a, member(team), {measure: days(1, 2), other: days(1, 2, start=2)}, "k2")
    assert (again.accepted, again.duplicates) == (3, 1)  # the key's parts answer with their first results
    assert len(await a.store.read_stream(measure)) == 4


async def test_commands_on_streams_held_together_wait_until_they_are_released(
        two: tuple[Services, Services, str, str]) -> None:
    a, _, _, measure = two
    entered = asyncio.Event()

    async def single() -> None:
        async with a.repository.open(measure, refresh=False):
            entered.set()

    async with a.repository.open_many([measure, "absent"]) as held:
        assert held["absent"] is None and held[measure].version == 1
        waiting = asyncio.create_task(single())
        for _ in range(5):
            await asyncio.sleep(0)
        assert not entered.is_set()
    await waiting
    assert entered.is_set()


async def test_a_chunk_decided_on_a_chunk_whose_save_conflicts_is_decided_again_and_never_stored_blindly(
        two: tuple[Services, Services, str, str]) -> None:
    a, b, team, measure = two
    await record_columns(a, member(team), {measure: days(0, 1)}, None)  # a caches the measure at version 2
    await record_observations(b, member(team), measure, [ObservationIn(date(2024, 1, 5), 4.0)])  # version 3, in b
    # x is decided on a's stale copy (days 2-3 look new) and conflicts; y is decided on top of x before x is
    # committed, and day 5 looks new there too. Stored blindly, y would take version 3... which is b's day 5.
    x, y = await asyncio.gather(record_columns(a, member(team), {measure: days(1, 2)}, None),
                                record_columns(a, member(team), {measure: days(4, 1)}, None))
    assert (x.accepted, y.accepted, y.duplicates, y.corrected) == (2, 0, 1, 0)
    stored = [orjson.loads(e.data)["periods"] for e in (await a.store.read_stream(measure))[1:]]
    assert sorted(p for periods in stored for p in periods) == ["2024-01-01", "2024-01-02", "2024-01-03",
                                                                "2024-01-05"]
    loaded = await a.repository.load(measure)
    assert loaded.version == len(stored) + 1 and sorted(loaded.points) == ["2024-01-01", "2024-01-02",
                                                                          "2024-01-03", "2024-01-05"]
