"""`qms import`: a file posted in chunks, and a rerun after a failure storing every observation once."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import httpx
import pytest

from service.edge.cli import cmd_import
from service.edge.importer import ImportFailed, chunks, count_rows, import_file
from tests.conftest import Api
from tests.e2e.test_ingest import stored_values, team_with_measures


class DropsAnswers(httpx.HTTPTransport):
    """A connection that fails after the server has stored the `after`-th request: the client never sees that
    answer nor sends anything after it (as when the importer is killed mid-way)."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after, self.sent = after, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.sent >= self.after:
            raise httpx.ConnectError("the network went away", request=request)
        self.sent += 1
        response = super().handle_request(request)
        response.read()
        if self.sent == self.after:
            raise httpx.ReadError("the answer was lost", request=request)
        return response


def write_csv(path: Path, measures: list[str], days: int) -> list[str]:
    rows = [f'{m},"2024-{1 + d // 28:02d}-{1 + d % 28:02d}",{d}' for d in range(days) for m in measures]
    path.write_bytes(("\ufeffmeasureId,period,value\r\n" + "\r\n".join(rows) + "\r\n").encode())
    return rows


def test_chunks_of_a_csv_file_each_carry_the_header_and_count_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(b'\xef\xbb\xbfmeasureId,period,value,note\n' + b'm,2024-01-01,1,"two\nlines"\n' * 1000)
    with path.open("rb") as f:
        parts = list(chunks(f, "text/csv", size=1000))
    assert len(parts) > 10
    assert all(body.startswith(b"measureId,period,value,note\n") for body, _, _ in parts)
    assert sum(rows for _, rows, _ in parts) == 1000
    assert sum(n for _, _, n in parts) == path.stat().st_size - len("\ufeffmeasureId,period,value,note\n".encode())
    assert count_rows(b"{}\n\n{}", False) == 3


async def test_a_rerun_after_a_failure_mid_way_stores_every_observation_once(api: Api, tmp_path: Path) -> None:
    team, measures = await team_with_measures(api, 3)
    path = tmp_path / "feed.csv"
    write_csv(path, measures, 200)
    token = api.token("INTEGRATION", [team])
    with httpx.Client(transport=DropsAnswers(after=3), timeout=30) as broken, pytest.raises(ImportFailed):
        await asyncio.to_thread(import_file, path, api.base, token, "feed-1", size=2048, client=broken)
    done: list[int] = []
    totals = await asyncio.to_thread(import_file, path, api.base, token, "feed-1", size=2048,
                                     on_chunk=lambda number, _: done.append(number))
    assert len(done) > 5
    assert (totals.accepted, totals.duplicates, totals.corrected, totals.errors) == (600, 0, 0, [])
    assert totals.rows == 600
    api.position = totals.position
    for m in measures:
        assert await stored_values(api, m) == list(range(200))


async def test_an_ndjson_import_reports_bad_lines_by_their_line_in_the_file(api: Api, tmp_path: Path) -> None:
    team, (m1,) = await team_with_measures(api, 1)
    lines = [f'{{"measureId": "{m1}", "period": "2023-{1 + d // 28:02d}-{1 + d % 28:02d}", "value": {d}}}'
             for d in range(300)]
    lines[250] = '{"measureId": "' + m1 + '", "period": "2023-02-30", "value": 1}'
    lines[10] = ""
    path = tmp_path / "feed.ndjson"
    path.write_text("\n".join(lines) + "\n")
    totals = await asyncio.to_thread(import_file, path, api.base, api.token("INTEGRATION", [team]), "nd-1",
                                     size=1024)
    assert totals.rows == 300
    assert totals.accepted == 298
    assert [(e["index"], e["code"]) for e in totals.errors] == [(250, "INVALID_DATE")]


async def test_the_qms_import_command_posts_a_file_and_a_rerun_counts_it_as_already_stored(
        api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team, measures = await team_with_measures(api, 2)
    path = tmp_path / "feed.csv"
    write_csv(path, measures, 30)
    # the command's body (main() also installs signal handlers, which only the main thread may)
    args = argparse.Namespace(file=str(path), url=api.base, token=api.token("INTEGRATION", [team]),
                              idempotency_key=None)
    assert await asyncio.to_thread(cmd_import, args) == 0
    assert "60 rows in 1 chunks: 60 accepted, 0 duplicates" in capsys.readouterr().out
    assert await asyncio.to_thread(cmd_import, args) == 0  # the same file: its key, its first answer
    assert "60 accepted" in capsys.readouterr().out
    path.write_bytes(path.read_bytes() + f"{measures[0]},2024-13-01,1\r\n".encode())
    assert await asyncio.to_thread(cmd_import, args) == 3  # another file, another key: rows already stored, one bad
    out = capsys.readouterr().out
    assert "0 accepted, 60 duplicates" in out
    assert "row 60: INVALID_DATE" in out
