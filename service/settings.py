"""Every setting in one place: its default, its environment variable, how it is read and checked, and what it
is for. `Settings.from_env` reads them (a bad value stops start-up with a message naming the variable);
`qms config` prints the effective configuration with secrets masked; the README's table is checked against this
one by a test."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting's value cannot be used; the message names the variable and says what it must be."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to start, with defaults that need no set-up at all."""

    data_dir: Path = Path(".qms-data")
    database_url: str | None = None          # None: run the embedded PostgreSQL in data_dir/pg
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str | None = None            # None: generated once into data_dir/jwt-secret
    jwt_issuer: str = "qms"
    jwt_audience: str = "qms"
    development: bool = True                 # GraphiQL and introspection on
    oidc_issuer: str | None = None           # production: accept tokens from this OpenID Connect issuer
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None         # its published keys
    oidc_roles_claim: str = "roles"
    oidc_teams_claim: str = "teams"
    pool_min: int = 2
    pool_max: int = 10
    max_body_bytes: int = 8 * 1024 * 1024    # request bodies above this get 413
    max_batch_observations: int = 50_000
    max_stream_bytes: int = 4 * 1024**3      # CSV and NDJSON intake bodies (streamed) above this get 413
    max_fhir_bytes: int = 64 * 1024 * 1024   # FHIR request bodies (a Bundle is read whole) above this get 413
    max_inflight_write_bytes: int = 128 * 1024**2  # writes in flight per API process; beyond: 503 + Retry-After
    projection_batch: int = 2000
    read_your_writes_timeout: float = 5.0
    run_projections: bool = True             # False for API-only processes when projections run elsewhere
    projections: str = "process"             # where `qms serve` runs them: process, in-process or none
    workers: int = 1                         # API processes `qms serve` starts
    cors_origins: tuple[str, ...] = ()       # browser origins allowed to call the API
    persisted_queries: Path | None = None    # a JSON file {sha256: document} that front-end builds produce
    persisted_only: bool = False             # refuse any document not in that file (production allow-list)
    metrics_token: str | None = None         # /metrics is served to scrapers that send it; None: not served
    log_format: str | None = None            # json or text; None: json in production, text in development
    access_log: bool = False                 # a line per API request
    time_zone: str = "Europe/London"         # what "today" means: due dates, overdue actions, huddle dates

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            problem = check(getattr(self, name))
            if problem:
                raise ConfigError(f"{_VARIABLE.get(name, name)}: {problem}")
        if self.pool_min > self.pool_max:
            raise ConfigError(f"QMS_POOL_MIN: {self.pool_min} is more than QMS_POOL_MAX ({self.pool_max})")
        if self.persisted_only and self.persisted_queries is None:
            raise ConfigError("QMS_PERSISTED_ONLY: needs QMS_PERSISTED_QUERIES, the file of allowed documents")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """The settings the environment gives, each unset variable at its default; `overrides` win."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for option in OPTIONS:
            raw = env.get(option.variable)
            if not raw:
                continue
            try:
                values[option.name] = option.parse(raw)
            except ValueError as e:
                raise ConfigError(f"{option.variable}: {raw!r} {e}") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("text" if self.development else "json")

    def describe(self) -> list[tuple[str, str, str]]:
        """(variable, effective value, what it is for), secrets masked: what `qms config` prints."""
        rows = []
        for option in OPTIONS:
            value = getattr(self, option.name)
            shown = "(set)" if option.secret and value else option.show(value) if option.show else _show(value)
            rows.append((option.variable, shown, option.doc))
        return rows


def _show(value: object) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, tuple):
        return ",".join(value) or "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("is not a whole number") from None


def _float(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError("is not a number") from None


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _environment(raw: str) -> bool:
    if raw not in ("development", "production"):
        raise ValueError("must be development or production")
    return raw == "development"


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


@dataclass(frozen=True, slots=True)
class Option:
    name: str                        # the Settings field
    variable: str                    # its environment variable
    parse: Callable[[str], Any]
    doc: str
    secret: bool = False
    show: Callable[[Any], str] | None = None  # how `qms config` writes the value, when not as parsed


OPTIONS = (
    Option("database_url", "DATABASE_URL", str, "PostgreSQL to use; unset: the embedded server in the data folder",
           secret=True),
    Option("data_dir", "QMS_DATA_DIR", Path, "the embedded database, the development signing secret, the "
                                             "checkpoint key"),
    Option("host", "QMS_HOST", str, "the address `qms serve` listens on"),
    Option("port", "QMS_PORT", _int, "the port `qms serve` listens on"),
    Option("development", "QMS_ENV", _environment, "development or production (production: GraphiQL and "
                                                   "introspection off)",
           show=lambda development: "development" if development else "production"),
    Option("projections", "QMS_PROJECTIONS", str, "where `qms serve` runs the projections: process (a child "
                                                  "process), in-process, or none (`qms project` runs them)"),
    Option("workers", "QMS_WORKERS", _int, "API processes `qms serve` starts on its port"),
    Option("jwt_secret", "QMS_JWT_SECRET", str, "the HS256 token secret; unset: generated once into the data "
                                                "folder", secret=True),
    Option("jwt_issuer", "QMS_JWT_ISSUER", str, "the issuer of the service's own tokens"),
    Option("jwt_audience", "QMS_JWT_AUDIENCE", str, "the audience of the service's own tokens"),
    Option("oidc_issuer", "QMS_OIDC_ISSUER", str, "accept tokens from this OpenID Connect issuer"),
    Option("oidc_audience", "QMS_OIDC_AUDIENCE", str, "the audience its tokens must name (default qms)"),
    Option("oidc_jwks_url", "QMS_OIDC_JWKS_URL", str, "where the issuer publishes its keys"),
    Option("oidc_roles_claim", "QMS_OIDC_ROLES_CLAIM", str, "the claim that lists the caller's roles"),
    Option("oidc_teams_claim", "QMS_OIDC_TEAMS_CLAIM", str, "the claim that lists the caller's teams"),
    Option("pool_min", "QMS_POOL_MIN", _int, "database connections each process keeps open"),
    Option("pool_max", "QMS_POOL_MAX", _int, "database connections each process may open"),
    Option("max_body_bytes", "QMS_MAX_BODY_BYTES", _int, "larger request bodies are refused with 413"),
    Option("max_batch_observations", "QMS_MAX_BATCH_OBSERVATIONS", _int, "observations one intake request may carry"),
    Option("max_stream_bytes", "QMS_MAX_STREAM_BYTES", _int, "larger CSV and NDJSON intake bodies (read as a stream, "
                                                            "in bounded memory) are refused with 413"),
    Option("max_fhir_bytes", "QMS_MAX_FHIR_BYTES", _int, "larger FHIR request bodies (a Bundle is read whole) are "
           "refused with 413"),
    Option("max_inflight_write_bytes", "QMS_MAX_INFLIGHT_WRITE_BYTES", _int,
           "write requests (intake, mutations) one API process holds until they are stored, by body size (at least "
           "4 KiB each; a streamed body 16 MiB); more are refused with 503 and Retry-After"),
    Option("projection_batch", "QMS_PROJECTION_BATCH", _int, "events a projection applies per transaction"),
    Option("read_your_writes_timeout", "QMS_READ_YOUR_WRITES_TIMEOUT", _float,
           "seconds a read waits for the read models to include a write it was sent after"),
    Option("cors_origins", "QMS_CORS_ORIGINS", _origins, "browser origins allowed to call the API, comma-separated "
                                                         "(e.g. https://qi.example.org)"),
    Option("persisted_queries", "QMS_PERSISTED_QUERIES", Path, "a JSON file of persisted documents {sha256: "
                                                               "document}, as front-end builds produce"),
    Option("persisted_only", "QMS_PERSISTED_ONLY", _bool, "true: refuse documents not in that file"),
    Option("metrics_token", "QMS_METRICS_TOKEN", str, "serve /metrics to scrapers that send it as a bearer token; "
                                                      "unset: /metrics is off", secret=True),
    Option("log_format", "QMS_LOG_FORMAT", str, "json (one object per line) or text; unset: json in production, "
                                                "text in development"),
    Option("time_zone", "QMS_TIME_ZONE", str, "the IANA time zone that says what \"today\" is (due dates, "
                                              "overdue actions, huddle dates)"),
    Option("access_log", "QMS_ACCESS_LOG", _bool, "true: a log line per API request (`qms serve --access-log`)"),
)
_VARIABLE = {o.name: o.variable for o in OPTIONS}


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be more than 0"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else "must be a port number (0 to 65535)"


def _zone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{value!r} is not an IANA time zone (e.g. Europe/London)"
    return None


def _where(value: str) -> str | None:
    return None if value in ("process", "in-process", "none") else f"{value!r} must be process, in-process or none"


def _origin_list(value: tuple[str, ...]) -> str | None:
    bad = [o for o in value if o != "*" and not o.startswith(("http://", "https://"))]
    return f"{bad[0]!r} is not an origin (scheme://host[:port])" if bad else None


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "port": _port, "pool_min": _positive, "pool_max": _positive, "max_body_bytes": _positive,
    "max_stream_bytes": _positive, "max_fhir_bytes": _positive, "max_inflight_write_bytes": _positive,
    "max_batch_observations": _positive, "projection_batch": _positive, "read_your_writes_timeout": _positive,
    "cors_origins": _origin_list, "projections": _where, "workers": _positive, "time_zone": _zone,
    "log_format": lambda v: None if v in (None, "json", "text") else f"{v!r} must be json or text",
}
