"""Bearer tokens: what is accepted, and the clear refusal of everything else."""

from __future__ import annotations

import time

import jwt
import pytest

from service.identity import AuthenticationError, Role, TokenService

SECRET = "a-secret-long-enough-for-hs256-0123456789"
tokens = TokenService(SECRET)


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    values: dict[str, object] = {"sub": "ana", "role": "TEAM_MEMBER", "teams": ["t1"], "iat": now, "exp": now + 60,
                                 "iss": "qms", "aud": "qms"}
    values.update(overrides)
    return values


def test_an_issued_token_verifies_to_its_subject_role_and_teams() -> None:
    principal = tokens.verify(tokens.issue("ana", Role.TEAM_LEADER, ["t1", "t2"]))
    assert (principal.subject, principal.role, principal.teams) == ("ana", Role.TEAM_LEADER, frozenset({"t1", "t2"}))


@pytest.mark.parametrize(("token", "message"), [
    (jwt.encode(claims(exp=int(time.time()) - 10), SECRET, algorithm="HS256"), "expired"),
    (jwt.encode(claims(), "another-secret-entirely-0123456789abcdef", algorithm="HS256"), "Signature verification"),
    (jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256"), "another audience"),
    (jwt.encode(claims(), None, algorithm="none"), "not valid"),
    (jwt.encode(claims(role="SUPERUSER"), SECRET, algorithm="HS256"), "Unknown role"),
    (jwt.encode(claims(teams="t1"), SECRET, algorithm="HS256"), "list of team ids"),
    ("not-a-token", "not valid"),
])
def test_a_bad_token_is_refused_with_a_message_that_says_why(token: str, message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        tokens.verify(token)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer "])
def test_a_missing_or_malformed_authorization_header_is_refused(header: str | None) -> None:
    with pytest.raises(AuthenticationError, match="Bearer"):
        tokens.from_header(header)
