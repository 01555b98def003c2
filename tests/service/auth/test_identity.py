"""Bearer tokens: what is accepted, and the clear refusal of everything else."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest

from service.auth.identity import AuthenticationError, Role, TokenService

SECRET = "a-secret-long-enough-for-hs256-0123456789"
tokens = TokenService(SECRET)


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    values: dict[str, object] = {"sub": "ana", "role": "TEAM_MEMBER", "teams": ["t1"], "iat": now, "exp": now + 3600,
                                 "iss": "qms", "aud": "qms"}
    values.update(overrides)
    return values


def test_an_issued_token_verifies_to_its_subject_role_and_teams() -> None:
    principal = tokens.verify(tokens.issue("ana", Role.TEAM_LEADER, ["t1", "t2"]))
    assert (principal.subject, principal.role, principal.teams) == ("ana", Role.TEAM_LEADER, frozenset({"t1", "t2"}))


# Tokens are made when each test runs (not at collection), so that only the expired one is expired.
@pytest.mark.parametrize(("make", "message"), [
    (lambda: jwt.encode(claims(exp=int(time.time()) - 10), SECRET, algorithm="HS256"), "expired"),
    (lambda: jwt.encode(claims(), "another-secret-entirely-0123456789abcdef", algorithm="HS256"),
     "Signature verification"),
    (lambda: jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256"), "another audience"),
    (lambda: jwt.encode(claims(), None, algorithm="none"), "not valid"),
    (lambda: jwt.encode(claims(role="SUPERUSER"), SECRET, algorithm="HS256"), "Unknown role"),
    (lambda: jwt.encode(claims(teams="t1"), SECRET, algorithm="HS256"), "list of team ids"),
    (lambda: "not-a-token", "not valid"),
], ids=["expired", "wrong-signature", "wrong-audience", "unsigned", "unknown-role", "teams-not-a-list", "garbage"])
def test_a_bad_token_is_refused_with_a_message_that_says_why(make: Callable[[], str], message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        tokens.verify(make())


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer "])
def test_a_missing_or_malformed_authorization_header_is_refused(header: str | None) -> None:
    with pytest.raises(AuthenticationError, match="Bearer"):
        tokens.from_header(header)


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, dict[str, object]]]:
    """A loopback HTTP server publishing a JWKS document, as an identity provider does."""
    document: dict[str, object] = {"keys": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", document
    server.shutdown()
    server.server_close()


def test_tokens_from_a_configured_openid_connect_issuer_are_verified_against_its_published_keys(
        jwks_server: tuple[str, dict[str, object]]) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from service.auth.identity import OidcIssuer

    url, document = jwks_server
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document["keys"] = [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]
    service = TokenService(SECRET, oidc=OidcIssuer("https://idp.example", "qms-api", url, roles_claim="groups"))
    now = int(time.time())
    good = {"sub": "dr-b", "groups": ["staff", "SENIOR_CLINICIAN"], "teams": ["t9"], "iss": "https://idp.example",
            "aud": "qms-api", "exp": now + 60}
    token = jwt.encode(good, key, algorithm="RS256", headers={"kid": "k1"})
    principal = service.verify(token)
    assert (principal.subject, principal.role, principal.teams) == ("dr-b", Role.SENIOR_CLINICIAN, frozenset({"t9"}))
    with pytest.raises(AuthenticationError, match="another audience"):
        service.verify(jwt.encode({**good, "aud": "other"}, key, algorithm="RS256", headers={"kid": "k1"}))
    with pytest.raises(AuthenticationError, match="names no qms role"):
        service.verify(jwt.encode({**good, "groups": ["staff"]}, key, algorithm="RS256", headers={"kid": "k1"}))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthenticationError, match="not valid"):
        service.verify(jwt.encode(good, other, algorithm="RS256", headers={"kid": "k1"}))
