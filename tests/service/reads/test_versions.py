"""The answer cache's version probe: any read model's rows, keyed, grouped or whole, in one statement."""

from __future__ import annotations

import uuid

import pytest

from projections.base import VersionedRows
from service.bootstrap import Services
from service.reads.versions import VersionProbe


@pytest.fixture
async def wards(services: Services):
    table = f"wards_{uuid.uuid4().hex[:8]}"
    async with services.pool.acquire() as conn:
        await conn.execute(f"CREATE TABLE {table} (ward_id text PRIMARY KEY, site text, position bigint)")
        await conn.executemany(f"INSERT INTO {table} VALUES ($1, $2, $3)",
                               [("w1", "north", 5), ("w2", "north", 9), ("w3", "south", 7)])
    yield table
    async with services.pool.acquire() as conn:
        await conn.execute(f"DROP TABLE {table}")


async def test_a_new_read_model_joins_the_cache_by_declaring_its_rows(services: Services, wards: str) -> None:
    probe = VersionProbe.of([{"ward": VersionedRows(wards, "ward_id")},
                             {"site": VersionedRows(wards, "site"), "wards": VersionedRows(wards, None)}])
    got = await probe.versions(services.pool, ["ward:w1", "ward:w3", "ward:gone", "site:north", "wards:"])
    assert got == {"ward:w1": 5, "ward:w3": 7, "site:north": 9, "wards:": 9}
    async with services.pool.acquire() as conn:
        await conn.execute(f"UPDATE {wards} SET position = 12 WHERE ward_id = 'w3'")
    assert await probe.versions(services.pool, ["ward:w3", "site:south", "site:north", "wards:"]) == {
        "ward:w3": 12, "site:south": 12, "site:north": 9, "wards:": 12}


async def test_the_services_probe_knows_every_projections_rows(services: Services) -> None:
    declared = {kind for p in services.projections for kind in p.versioned}
    assert set(services.versions.kinds) == declared
    assert {"m", "t", "s"} <= declared
    assert await services.versions.versions(services.pool, []) == {}


def test_an_undeclared_kind_and_a_kind_declared_twice_differently_are_errors() -> None:
    with pytest.raises(ValueError, match="two read models"):
        VersionProbe.of([{"x": VersionedRows("a", "id")}, {"x": VersionedRows("b", "id")}])
    with pytest.raises(ValueError, match="identifiers"):
        VersionProbe({"x": VersionedRows("a; DROP TABLE events", "id")})


async def test_a_name_of_an_unknown_kind_is_refused(services: Services) -> None:
    with pytest.raises(KeyError, match="nobody"):
        await services.versions.versions(services.pool, ["nobody:1"])
