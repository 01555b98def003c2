"""Configuration from the environment, with defaults that need no set-up at all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service needs to start. `from_env` reads QMS_* variables and DATABASE_URL."""

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
    projection_batch: int = 2000
    read_your_writes_timeout: float = 5.0
    run_projections: bool = True             # False for API-only processes when projections run elsewhere
    time_zone: str = "Europe/London"         # what "today" means: due dates, overdue actions, huddle dates

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"QMS_TIME_ZONE: {self.time_zone!r} is not an IANA time zone (e.g. Europe/London).") from e

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "data_dir": Path(env.get("QMS_DATA_DIR", ".qms-data")),
            "database_url": env.get("DATABASE_URL") or None,
            "host": env.get("QMS_HOST", "127.0.0.1"),
            "port": int(env.get("QMS_PORT", "8000")),
            "jwt_secret": env.get("QMS_JWT_SECRET") or None,
            "development": env.get("QMS_ENV", "development") != "production",
            "pool_max": int(env.get("QMS_POOL_MAX", "10")),
            "oidc_issuer": env.get("QMS_OIDC_ISSUER") or None,
            "oidc_audience": env.get("QMS_OIDC_AUDIENCE") or None,
            "oidc_jwks_url": env.get("QMS_OIDC_JWKS_URL") or None,
            "oidc_roles_claim": env.get("QMS_OIDC_ROLES_CLAIM", "roles"),
            "oidc_teams_claim": env.get("QMS_OIDC_TEAMS_CLAIM", "teams"),
            "time_zone": env.get("QMS_TIME_ZONE", "Europe/London"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
