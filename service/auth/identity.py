"""Who is asking: bearer JWTs signed with the service's own secret (development and tests)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import jwt

ALGORITHM = "HS256"
VERIFIED_CACHE = 10_000


class Role(StrEnum):
    ADMIN = "ADMIN"
    SENIOR_LEADER = "SENIOR_LEADER"
    TEAM_LEADER = "TEAM_LEADER"
    SENIOR_CLINICIAN = "SENIOR_CLINICIAN"
    TEAM_MEMBER = "TEAM_MEMBER"
    SERVICE_USER = "SERVICE_USER"
    AUDITOR = "AUDITOR"
    INTEGRATION = "INTEGRATION"


class AuthenticationError(Exception):
    """The request's credentials are missing or not valid (HTTP 401)."""


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    teams: frozenset[str] = frozenset()

    def in_team(self, team_id: str) -> bool:
        return team_id in self.teams


def _principal(subject: str, role: Role, teams: list[str]) -> Principal:
    if not subject or len(subject) > 200 or "\x00" in subject or any("\x00" in t for t in teams):
        raise AuthenticationError("The token's subject must be 1 to 200 characters, without NUL characters.")
    return Principal(subject=subject, role=role, teams=frozenset(teams))


def load_or_create_secret(data_dir: Path) -> str:
    """The development signing secret, generated once into the data folder (readable by its owner only)."""
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


@dataclass(frozen=True, slots=True)
class OidcIssuer:
    """A production identity provider: tokens signed with the keys it publishes (JWKS)."""

    issuer: str
    audience: str
    jwks_url: str
    roles_claim: str = "roles"
    teams_claim: str = "teams"


class TokenService:
    """Verifies bearer tokens: the service's own HS256 secret, and an OpenID Connect issuer's keys if configured."""

    def __init__(self, secret: str, *, issuer: str = "qms", audience: str = "qms",
                 oidc: OidcIssuer | None = None) -> None:
        self.secret, self.issuer, self.audience = secret, issuer, audience
        self.oidc = oidc
        self._jwks = jwt.PyJWKClient(oidc.jwks_url, cache_keys=True, lifespan=300) if oidc else None
        self._verified: dict[str, tuple[Principal, float]] = {}

    def issue(self, subject: str, role: Role | str, teams: list[str] | tuple[str, ...] = (),
              ttl_seconds: int = 12 * 3600) -> str:
        now = int(time.time())
        claims = {"sub": subject, "role": Role(role).value, "teams": list(teams), "iat": now,
                  "exp": now + ttl_seconds, "iss": self.issuer, "aud": self.audience}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        """The token's principal. A verified token is remembered until it expires: a token is immutable, so
        checking its signature once is enough, and it is the largest per-request cost after execution."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as e:
            raise AuthenticationError(f"The token is not valid: {e}.") from e
        if self.oidc is not None and header.get("alg") != ALGORITHM:
            return self._verify_oidc(token)
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], audience=self.audience,
                                issuer=self.issuer, options={"require": ["sub", "exp", "role"]})
        except jwt.ExpiredSignatureError as e:
            raise AuthenticationError("The token has expired.") from e
        except jwt.InvalidAudienceError as e:
            raise AuthenticationError("The token is for another audience.") from e
        except jwt.InvalidTokenError as e:
            raise AuthenticationError(f"The token is not valid: {e}.") from e
        try:
            role = Role(claims["role"])
        except ValueError as e:
            raise AuthenticationError(f"Unknown role {claims['role']!r} in the token.") from e
        teams = claims.get("teams") or []
        if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
            raise AuthenticationError("The token's teams claim must be a list of team ids.")
        return _principal(str(claims["sub"]), role, teams), float(claims["exp"])

    def _verify_oidc(self, token: str) -> tuple[Principal, float]:
        assert self.oidc is not None and self._jwks is not None
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256", "PS256", "EdDSA"],
                                audience=self.oidc.audience, issuer=self.oidc.issuer,
                                options={"require": ["sub", "exp"]})
        except jwt.ExpiredSignatureError as e:
            raise AuthenticationError("The token has expired.") from e
        except jwt.InvalidAudienceError as e:
            raise AuthenticationError("The token is for another audience.") from e
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as e:
            raise AuthenticationError(f"The token is not valid: {e}.") from e
        roles = claims.get(self.oidc.roles_claim) or []
        roles = [roles] if isinstance(roles, str) else roles
        known = [Role(r) for r in roles if r in Role.__members__]
        if not known:
            raise AuthenticationError(f"The token's {self.oidc.roles_claim!r} claim names no qms role.")
        teams = claims.get(self.oidc.teams_claim) or []
        if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
            raise AuthenticationError(f"The token's {self.oidc.teams_claim!r} claim must be a list of team ids.")
        return _principal(str(claims["sub"]), known[0], teams), float(claims["exp"])

    def from_header(self, header: str | None) -> Principal:
        if not header:
            raise AuthenticationError("Authorization: Bearer <token> is required.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("The Authorization header must be 'Bearer <token>'.")
        return self.verify(token.strip())
