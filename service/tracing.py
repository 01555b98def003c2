"""OpenTelemetry spans for requests, commands, group commits and projection batches: off by default, on when the
standard variables ask for it (OTEL_TRACES_EXPORTER, or an OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT /
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SERVICE_NAME and the rest are read by the SDK itself).

Off, `span()` hands back one shared do-nothing context manager: no SDK import, no allocation, nothing on the hot
paths but a function call. The SDK and the OTLP exporter are the optional `tracing` extra."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

_OFF: AbstractContextManager[None] = contextlib.nullcontext()
_tracer: Any = None


def enabled_by(env: Mapping[str, str]) -> bool:
    exporter = env.get("OTEL_TRACES_EXPORTER", "")
    if exporter == "none" or env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return bool(exporter or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def configure(env: Mapping[str, str] | None = None, exporter: Any = None) -> bool:
    """Turn tracing on if the environment asks for it (or an exporter is given, as tests do); True when on."""
    global _tracer
    env = os.environ if env is None else env
    if exporter is None and not enabled_by(env):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": env.get("OTEL_SERVICE_NAME", "qms")}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif env.get("OTEL_TRACES_EXPORTER") == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # reads OTEL_EXPORTER_OTLP_*
    _tracer = provider.get_tracer("qms")
    return True


def turn_off() -> None:
    global _tracer
    _tracer = None


def span(name: str, **attributes: Any) -> AbstractContextManager[Any]:
    """A span named `name` around the block when tracing is on; nothing at all when it is off."""
    if _tracer is None:
        return _OFF
    return _tracer.start_as_current_span(name, attributes={k: v for k, v in attributes.items() if v is not None})
