"""FHIR intake: transaction and batch Bundles of Observations posted to POST /fhir of a real `qms serve`, beside
the same observations posted as JSON to /ingest/observations and an asyncpg COPY of the rows, in one run.

    python benchmarks/fhir_bench.py [--observations 100000] [--measures 100] [--batch 5000] [--posters 4]

Each of the three intakes writes its own 100 measures (FHIR ones found by their LOINC-style codes), so none sees
another's values as resends. Every answer must be 200 with every entry created (or no errors), and afterwards the
event log must hold exactly the posted observations, or the run fails."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date
from typing import Any

import asyncpg
import httpx
import orjson
from _common import Server, bearer, gql, ratio, scratch_database, stored_observation_count
from ingest_bench import copy_baseline, make_rows

SYSTEM = "http://loinc.org"


async def coded_measures(base: str, team: str, n: int, prefix: str) -> tuple[list[str], list[str]]:
    define = ("mutation($i: DefineMeasureInput!) { defineMeasure(input: $i) { measure { id } "
              "errors { code message } } }")
    codes = [f"{prefix}-{i}" for i in range(n)]
    async with httpx.AsyncClient(timeout=60) as http:
        async def one(code: str) -> str:
            d = await gql(http, base, define, {"i": {"teamId": team, "name": f"Measure {code}", "kind": "OUTCOME",
                                                     "improvementDirection": "DECREASE", "frequency": "DAY",
                                                     "codes": [{"system": SYSTEM, "code": code}]}})
            assert d["defineMeasure"]["errors"] == [], d
            return str(d["defineMeasure"]["measure"]["id"])

        ids: list[str] = []
        for start in range(0, n, 20):
            ids += await asyncio.gather(*(one(c) for c in codes[start:start + 20]))
    return ids, codes


def observation(code: str, day: date, value: float, source: str) -> dict[str, Any]:
    return {"resourceType": "Observation", "status": "final",
            "identifier": [{"system": "urn:bench:lab", "value": source}],
            "code": {"coding": [{"system": SYSTEM, "code": code}]},
            "effectiveDateTime": f"{day.isoformat()}T09:30:00+00:00",
            "valueQuantity": {"value": value, "unit": "count", "system": "http://unitsofmeasure.org", "code": "1"}}


def bundles(kind: str, rows: list[tuple[str, date, float, str]], code_of: dict[str, str], batch: int) -> list[bytes]:
    return [orjson.dumps({"resourceType": "Bundle", "type": kind, "entry": [
        {"resource": observation(code_of[m], d, v, s), "request": {"method": "POST", "url": "Observation"}}
        for m, d, v, s in rows[i:i + batch]]}) for i in range(0, len(rows), batch)]


async def post_all(url: str, bodies: list[bytes], posters: int, headers: dict[str, str]) -> list[dict[str, Any]]:
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    answers: list[dict[str, Any]] = [{} for _ in bodies]

    async def poster(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            i, body = queue.get_nowait()
            r = await http.post(url, content=body, headers=headers)
            if r.status_code != 200:
                raise RuntimeError(f"request {i}: HTTP {r.status_code}: {r.text[:500]}")
            answers[i] = orjson.loads(r.content)

    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=posters)) as http:
        await asyncio.gather(*(poster(http) for _ in range(posters)))
    return answers


def created(answers: list[dict[str, Any]]) -> int:
    return sum(1 for a in answers for e in a["entry"] if e["response"]["status"] == "201 Created")


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--observations", type=int, default=100_000)
    p.add_argument("--measures", type=int, default=100)
    p.add_argument("--batch", type=int, default=5_000, help="observations per request")
    p.add_argument("--posters", type=int, default=4, help="concurrent posting clients")
    args = p.parse_args()
    n = args.observations

    async with scratch_database() as url:
        with Server(url, env={"QMS_READ_YOUR_WRITES_TIMEOUT": "60"}) as server:
            async with httpx.AsyncClient(timeout=60) as http:
                team = (await gql(http, server.base, "mutation($i: CreateTeamInput!) { createTeam(input: $i) "
                                  "{ team { id } } }", {"i": {"name": "FHIR bench ward"}}))["createTeam"]["team"]["id"]
            sets = {}
            for name in ("transaction", "batch", "json"):
                ids, codes = await coded_measures(server.base, team, args.measures, name)
                sets[name] = (make_rows(ids, n), dict(zip(ids, codes, strict=True)))
            token = bearer("INTEGRATION", [team], subject="feed")
            fhir_headers = {**token, "content-type": "application/fhir+json"}
            print(f"fhir: {n:,} observations per intake, {args.measures} measures (DAY) each, requests of "
                  f"{args.batch:,}, {args.posters} concurrent posters")
            timings: dict[str, float] = {}
            counts: dict[str, int] = {}
            for kind in ("transaction", "batch"):
                rows, code_of = sets[kind]
                bodies = bundles(kind, rows, code_of, args.batch)
                t0 = time.perf_counter()
                answers = await post_all(f"{server.base}/fhir", bodies, args.posters, fhir_headers)
                timings[kind] = time.perf_counter() - t0
                counts[kind] = created(answers)
                print(f"  ({kind}: {sum(map(len, bodies)) / len(bodies) / 1e6:.2f} MB a request)")
            rows, _ = sets["json"]
            bodies = [orjson.dumps({"idempotencyKey": f"bench-{i}", "observations": [
                {"measureId": m, "period": d.isoformat(), "value": v, "sourceId": s}
                for m, d, v, s in rows[i:i + args.batch]]}) for i in range(0, len(rows), args.batch)]
            t0 = time.perf_counter()
            answers = await post_all(f"{server.base}/ingest/observations", bodies, args.posters,
                                     {**token, "content-type": "application/json"})
            timings["json"] = time.perf_counter() - t0
            counts["json"] = sum(a["accepted"] for a in answers if not a["errors"])
            conn = await asyncpg.connect(url)
            try:
                stored = await stored_observation_count(conn)
            finally:
                await conn.close()
        copy_s = await copy_baseline(url, sets["json"][0])

    ok = stored == 3 * n and all(c == n for c in counts.values())
    print(f"  acknowledged: {counts}; stored (from events): {stored:,} -> {'OK' if ok else 'MISMATCH'}")
    rate = {k: n / t for k, t in timings.items()}
    copy_rate = n / copy_s
    for kind in ("transaction", "batch"):
        print(f"  service  /fhir {kind:<11} Bundle : {timings[kind]:7.3f} s  {rate[kind]:>10,.0f} obs/s   "
              f"/json {ratio(rate[kind], rate['json'])}   /COPY {ratio(rate[kind], copy_rate)}")
    print(f"  baseline /ingest/observations JSON : {timings['json']:7.3f} s  {rate['json']:>10,.0f} obs/s   "
          f"/COPY {ratio(rate['json'], copy_rate)}")
    print(f"  baseline asyncpg COPY (1 txn)      : {copy_s:7.3f} s  {copy_rate:>10,.0f} obs/s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
