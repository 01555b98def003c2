"""Charts as pictures: GET /charts/{measureId}.svg and SpcChart.svg draw the chart's points, in order, coloured by
variation, with dashed process limits, the target, phases, annotations and the icons; the chart query's permissions
and asOf; and the picture renders in a real browser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.control.vocabulary import PointVariation
from projections.spc.svg import COLOURS
from tests.conftest import Api
from tests.e2e.control_helpers import create_action, mutate
from tests.e2e.test_ingest import post
from tests.e2e.test_signals import STABLE, monthly, signals
from tests.schema.test_graphiql import DEAD_PROXY, OFFLINE_FLAGS, chromium

NS = {"s": "http://www.w3.org/2000/svg"}
CHART = """query($id: ID!) { measure(id: $id) { spc { variation assurance svg
  points { period variation centreLine upperProcessLimit }
  annotations { period kind } } } }"""


async def a_charted_measure(api: Api, name: str, recalculate: bool = False) -> tuple[str, str]:
    team = await api.create_team(name)
    measure = await api.define_measure(team)
    await post(api, {"observations": monthly(measure, 0, STABLE) + monthly(measure, 12, [30])}, teams=[team])
    after = [11, 10, 12, 9, 4, 5, 4, 5, 4, 5, 4, 5, 6, 4, 5, 4]
    await post(api, {"observations": monthly(measure, 13, after)}, teams=[team])
    if recalculate:
        recalculated = await mutate(api, "recalculateLimits", "RecalculateLimitsInput",
                                    {"measureId": measure, "fromPeriod": "2021-06-01", "reason": "New falls bundle"},
                                    "measure { id }", role="TEAM_LEADER", teams=[team])
        assert recalculated["errors"] == [], recalculated
    await mutate(api, "setTarget", "SetTargetInput", {"measureId": measure, "target": 8, "reason": "Standard"},
                 "measure { id }", role="TEAM_LEADER", teams=[team])
    found = await signals(api, team, None)
    await create_action(api, team, "Review the bundle", source=found[-1]["id"], role="TEAM_LEADER", teams=[team])
    return team, measure


async def get_svg(api: Api, measure: str, *, role: str = "TEAM_MEMBER", teams: list[str] | None = None,
                  query: str = "") -> Any:
    headers = {"Authorization": f"Bearer {api.token(role, teams or [])}", "X-QMS-After": str(api.position)}
    return await api.http.get(f"{api.base}/charts/{measure}.svg{query}", headers=headers)


async def test_the_picture_draws_the_charts_points_in_order_with_their_colours(api: Api) -> None:
    team, measure = await a_charted_measure(api, "SVG ward")
    response = await get_svg(api, measure, teams=[team])
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    chart = (await api.gql(CHART, {"id": measure}, role="TEAM_MEMBER", teams=[team]))["measure"]["spc"]
    circles = root.findall(".//s:circle[@class='point']", NS)
    assert [(c.get("data-period"), c.get("data-variation")) for c in circles] == [
        (p["period"], p["variation"]) for p in chart["points"]]
    assert [c.get("fill") for c in circles] == [COLOURS[PointVariation(p["variation"])] for p in chart["points"]]
    xs = [float(c.get("cx")) for c in circles]
    assert xs == sorted(xs)
    assert {"CONCERN", "IMPROVEMENT"} <= {c.get("data-variation") for c in circles}
    limits = root.findall(".//s:path[@class='limit upper']", NS) + root.findall(".//s:path[@class='limit lower']", NS)
    assert len(limits) == 2 and all(p.get("stroke-dasharray") for p in limits)
    assert len(root.findall(".//s:path[@class='centre']", NS)) == 1
    assert len(root.findall(".//s:line[@class='target']", NS)) == 1
    badges = {b.get("data-kind"): b.get("data-icon") for b in root.findall(".//s:g[@class='badge']", NS)}
    assert badges == {"variation": chart["variation"], "assurance": chart["assurance"]} and None not in badges.values()
    marked = [a.get("data-kind") for a in root.findall(".//s:g[@class='annotation']", NS)]
    assert marked == [a["kind"] for a in chart["annotations"] if a["period"]] and "ACTION" in marked
    assert chart["svg"] == response.text  # the GraphQL field gives the same picture


async def test_the_picture_has_the_chart_querys_permissions_and_honours_as_of(api: Api) -> None:
    team, measure = await a_charted_measure(api, "SVG permissions ward", recalculate=True)
    assert (await get_svg(api, measure, teams=["another-team"])).status_code == 404
    assert (await get_svg(api, "not-a-measure", teams=[team])).status_code == 404
    no_token = await api.http.get(f"{api.base}/charts/{measure}.svg")
    assert no_token.status_code == 401
    moment = datetime.now(UTC).isoformat()
    await post(api, {"observations": monthly(measure, 29, [6, 7])}, teams=[team])
    now = ET.fromstring((await get_svg(api, measure, teams=[team])).text)
    assert len(now.findall(".//s:path[@class='centre']", NS)) == 2  # a phase each side of the recalculation
    assert len(now.findall(".//s:line[@class='phase']", NS)) == 1
    answer = await get_svg(api, measure, teams=[team], query=f"?asOf={moment.replace('+', '%2B')}")
    assert answer.status_code == 200, (answer.status_code, answer.text)
    then = ET.fromstring(answer.text)
    assert len(now.findall(".//s:circle[@class='point']", NS)) == len(then.findall(".//s:circle[@class='point']",
                                                                                    NS)) + 2
    bad = await get_svg(api, measure, teams=[team], query="?asOf=yesterday")
    assert bad.status_code == 400


async def test_the_picture_renders_in_a_browser(api: Api, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    executable = chromium()
    screenshot = tmp_path / "chart.png"
    team, measure = await a_charted_measure(api, "SVG browser ward")
    svg = (await get_svg(api, measure, teams=[team])).text
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, args=OFFLINE_FLAGS, proxy=DEAD_PROXY)
        try:
            page = await browser.new_page(viewport={"width": 840, "height": 440})
            await page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
            box = await page.locator("svg").bounding_box()
            assert box is not None and box["width"] == 820 and box["height"] == 420
            circles = await page.locator("circle.point").count()
            assert circles == len(ET.fromstring(svg).findall(".//s:circle[@class='point']", NS))
            await page.screenshot(path=str(screenshot))
        finally:
            await browser.close()
    assert screenshot.stat().st_size > 5_000  # a drawn chart, not a blank page (looked at when written)
