"""Logs operators can read and machines can parse: one JSON object per line in production, a readable line in
development, for the service's own loggers and uvicorn's alike. The access log (one line per API request: request
id, route, operation, actor and role, status, duration and outcome) is written by the HTTP edge when switched on;
tokens and personal data are never among its fields."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

ACCESS = logging.getLogger("qms.access")
FIELDS = ("request_id", "route", "operation", "actor", "role", "status", "duration_ms", "outcome")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{n}={record.__dict__[n]}" for n in FIELDS if record.__dict__.get(n) is not None)
        return f"{text} {extra}" if extra else text


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: str, access_log: bool = False) -> None:
    """The root logger writes in `log_format` (json or text); uvicorn's loggers go through it too."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    ACCESS.setLevel(logging.INFO if access_log else logging.WARNING)


def uvicorn_log_config() -> dict[str, Any]:
    """Leave uvicorn's loggers to ours (configure_logging), rather than its own dictConfig."""
    return {"version": 1, "disable_existing_loggers": False}


def access(request_id: str, route: str, operation: str | None, actor: str | None, role: str | None, status: int,
           seconds: float) -> None:
    outcome = "ok" if status < 400 else "refused" if status < 500 else "failed"
    ACCESS.info("%s %s", route, status, extra={
        "request_id": request_id, "route": route, "operation": operation, "actor": actor, "role": role,
        "status": status, "duration_ms": round(seconds * 1000, 2), "outcome": outcome})
