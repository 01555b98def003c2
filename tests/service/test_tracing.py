"""Tracing: off unless the standard variables ask for it, and then spans for requests, commands, group commits
and projection batches."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service import tracing
from tests.conftest import Api


@pytest.mark.parametrize(("env", "on"), [
    ({}, False), ({"OTEL_SERVICE_NAME": "qms"}, False), ({"OTEL_TRACES_EXPORTER": "none"}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True), ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, False),
])
def test_tracing_is_on_only_when_the_standard_variables_ask(env: dict[str, str], on: bool) -> None:
    assert tracing.enabled_by(env) is on


def test_off_a_span_is_one_shared_object_that_does_nothing() -> None:
    tracing.turn_off()
    assert tracing.span("a") is tracing.span("b", size=3)
    with tracing.span("a"):
        pass


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure({}, exporter=exporter)
    yield exporter
    tracing.turn_off()


async def test_on_a_command_shows_as_request_command_and_group_commit_then_a_projection_batch(
        api: Api, spans: InMemorySpanExporter) -> None:
    team = await api.create_team("Traced ward")
    measure = await api.define_measure(team)
    await api.gql("mutation($i: RecordObservationsInput!) { recordObservations(input: $i) { accepted } }",
                  {"i": {"measureId": measure, "observations": [{"period": "2024-01-01", "value": 1}]}},
                  role="TEAM_MEMBER", teams=[team])
    for _ in range(100):
        names = {s.name for s in spans.get_finished_spans()}
        if "projection batch" in names:
            break
        await asyncio.sleep(0.05)
    assert {"POST /graphql", "command", "group commit", "projection batch"} <= names, names
    request = next(s for s in spans.get_finished_spans() if s.name == "POST /graphql")
    assert request.attributes["http.route"] == "/graphql" and len(request.attributes["qms.request_id"]) == 32
