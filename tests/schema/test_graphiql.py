"""The development GraphiQL page needs no network beyond the service: its assets come from the package, it carries
a bearer token handed over in its URL, and a real browser with every other host blocked loads the schema and runs
a query through it."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, expect

from schema.graphiql import ASSETS, IMMUTABLE, STATIC, graphiql_url
from service.auth.identity import TokenService
from service.edge.app import create_app
from service.edge.cli import main
from tests.conftest import TEST_SECRET, Api, settings_for

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
# Two fences, so that a request for any other host fails inside the browser whatever asks for it: names other than
# the loopback address resolve to nothing, and anything that would go out is sent to a proxy on a dead port.
OFFLINE_FLAGS = [
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOOPBACK}",
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
DEAD_PROXY = {"server": "http://127.0.0.1:9", "bypass": LOOPBACK}


def chromium() -> str:
    """Debian's chromium; in CI its absence fails the test (.ci/run installs it), elsewhere it skips it."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


async def test_the_page_loads_every_asset_from_the_service_itself(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        page = (await http.get("/graphql")).text
        links = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert [u for u in links if not u.startswith("/graphiql/static/") and not u.startswith("data:")] == []
        for name in ASSETS:
            assert any(u.startswith(f"/graphiql/static/{name}?v=") for u in links), name
            response = await http.get(f"/graphiql/static/{name}")
            assert response.status_code == 200
            assert response.content == (STATIC / name).read_bytes()
            assert response.headers["cache-control"] == IMMUTABLE


def test_the_vendored_assets_are_the_versions_pinned_for_the_build() -> None:
    pinned = json.loads((ROOT / "graphiql" / "package.json").read_text())["dependencies"]
    vendored = dict(line.split() for line in (STATIC / "VERSIONS").read_text().splitlines())
    assert vendored == pinned
    assert all((STATIC / name).stat().st_size > 0 for name in ASSETS)


async def test_production_serves_neither_the_page_nor_its_assets() -> None:
    app = create_app(settings_for("postgresql://unused@127.0.0.1/unused", development=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qms") as http:
        assert (await http.get("/graphql")).status_code == 405
        assert (await http.get("/graphiql/static/graphiql.min.js")).status_code == 404


def test_qms_token_prints_a_graphiql_url_with_the_token(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_JWT_SECRET", TEST_SECRET)
    assert main(["token", "--subject", "me", "--role", "senior_leader", "--graphiql", "http://127.0.0.1:8123"]) == 0
    url = capsys.readouterr().out.strip()
    prefix = "http://127.0.0.1:8123/graphql#token="
    assert url.startswith(prefix)
    assert TokenService(TEST_SECRET).verify(url.removeprefix(prefix)).subject == "me"


def test_qms_token_refuses_a_graphiql_url_in_production(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("QMS_ENV", "production")
    assert main(["token", "--subject", "me", "--role", "senior_leader", "--graphiql"]) == 2
    assert capsys.readouterr().out == ""


def test_the_graphiql_url_carries_the_token_in_its_fragment_only() -> None:
    url = graphiql_url("http://127.0.0.1:8000/", "a.b+c/d")
    assert url == "http://127.0.0.1:8000/graphql#token=a.b%2Bc%2Fd"
    assert "a.b" not in urlsplit(url)._replace(fragment="").geturl()


@pytest.fixture
async def offline_page() -> AsyncIterator[tuple[Page, list[str]]]:
    """A page in Debian's chromium, headless, fenced off from every host but the loopback address, with the URL
    of every request it makes."""
    from playwright.async_api import async_playwright

    executable = chromium()
    requested: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=OFFLINE_FLAGS, proxy=DEAD_PROXY)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda request: requested.append(request.url))
            yield page, requested
        finally:
            await browser.close()


async def a_team_in_the_read_model(api: Api) -> tuple[str, str]:
    name = f"Ward {uuid.uuid4().hex[:8]}"
    team_id = await api.create_team(name)
    await api.gql("query($id: ID!) { team(id: $id) { name } }", {"id": team_id})  # waits for the read model
    return team_id, name


async def run_in_graphiql(page: Page, query: str) -> None:
    await page.evaluate("query => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
                        ".setValue(query)", query)
    await page.get_by_label("Execute query").click()


async def test_graphiql_loads_the_schema_and_runs_a_query_with_a_token_in_a_browser_with_no_network(
        server: str, api: Api, offline_page: tuple[Page, list[str]]) -> None:
    page, requested = offline_page
    team_id, name = await a_team_in_the_read_model(api)

    await page.goto(graphiql_url(server, api.token()))
    assert "token" not in page.url  # wiped from the address bar and the history
    await expect(page.locator("#qms-token-status")).to_contain_text("as tester (SENIOR_LEADER)")
    await page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    await expect(docs).to_contain_text("Root Types", timeout=15_000)  # introspection succeeded
    await docs.get_by_text("Query", exact=True).first.click()
    await expect(docs).to_contain_text("auditLog")
    await run_in_graphiql(page, f'{{ team(id: "{team_id}") {{ name }} }}')
    await expect(page.locator(".graphiql-response")).to_contain_text(f'"name": "{name}"', timeout=15_000)
    shots = Path(tempfile.mkdtemp(prefix="qms-graphiql-"))
    await page.screenshot(path=str(shots / "graphiql.png"))

    assert {urlsplit(url).hostname for url in requested} == {LOOPBACK}, requested
    # and the fence holds: the CDN the page used to load its scripts from is out of the browser's reach
    with pytest.raises(PlaywrightError, match=r"ERR_PROXY_CONNECTION_FAILED|ERR_NAME_NOT_RESOLVED"):
        await page.goto("https://unpkg.com/react@18.3.1/umd/react.production.min.js")


async def test_a_token_pasted_into_the_page_is_sent_with_its_requests(
        server: str, api: Api, offline_page: tuple[Page, list[str]]) -> None:
    page, _ = offline_page
    team_id, name = await a_team_in_the_read_model(api)

    await page.goto(f"{server}/graphql")
    await expect(page.locator("#qms-token-status")).to_contain_text("no token")
    await page.get_by_label("Bearer token").fill(f"Bearer {api.token(subject='paster')}")
    await page.get_by_role("button", name="Use").click()
    await expect(page.locator("#qms-token-status")).to_contain_text("as paster (SENIOR_LEADER)")
    await run_in_graphiql(page, f'{{ team(id: "{team_id}") {{ name }} }}')
    await expect(page.locator(".graphiql-response")).to_contain_text(f'"name": "{name}"', timeout=15_000)
