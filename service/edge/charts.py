"""GET /charts/{measureId}.svg: a measure's SPC chart as a picture, with the chart query's permissions (a measure
the caller may not read is not found) and `?asOf=` (the chart as it stood then, replayed from the log)."""

from __future__ import annotations

from datetime import datetime

from domain.errors import Forbidden
from projections.spc.document import empty
from projections.spc.svg import render_svg
from service.auth.permissions import allowed
from service.edge.http import Answer, Call, Endpoint, Refusal
from service.reads.as_of import measure_as_of
from service.reads.catalog import charts_by_measure, measures_by_id

SVG = "image/svg+xml"


def _not_found(measure_id: str) -> Refusal:
    return Refusal(404, "NOT_FOUND", f"No measure has id {measure_id}.")


async def chart_svg(call: Call) -> Answer:
    measure_id = call.request.path_params["measure_id"]
    as_of_text = call.request.query_params.get("asOf")
    services = call.services
    if as_of_text is not None:
        try:
            as_of = datetime.fromisoformat(as_of_text.replace("Z", "+00:00"))
        except ValueError:
            raise Refusal(400, "BAD_REQUEST", "asOf must be an ISO 8601 instant.") from None
        if as_of.tzinfo is None:
            raise Refusal(400, "BAD_REQUEST", "asOf needs a time zone offset (or Z).")
        try:
            view = await measure_as_of(services, call.principal, measure_id, as_of)
        except Forbidden:
            view = None
        if view is None:
            raise _not_found(measure_id)
        chart, headers = view.chart or empty(view.chart_type), {"Cache-Control": "no-store"}
    else:
        measure = (await measures_by_id(services.pool, [measure_id])).get(measure_id)
        if measure is None or not allowed(call.principal, "measure.read", measure.team_id):
            raise _not_found(measure_id)
        stored = (await charts_by_measure(services.pool, [measure_id])).get(measure_id)
        chart = stored or empty(measure.chart_type)
        headers = {"Cache-Control": "private, no-cache", "ETag": f'"{measure_id}:{chart.position}"'}
        view = measure
    if "ETag" in headers and call.request.headers.get("if-none-match") == headers["ETag"]:
        return Answer(b"", status=304, headers=headers, media_type=SVG)
    return Answer(render_svg(chart, view.name).encode(), headers=headers, media_type=SVG)


chart_pictures = Endpoint("/charts/{measureId}.svg", chart_svg,
                          lambda code, message: {"error": {"code": code, "message": message}})
