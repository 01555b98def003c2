"""A team's feedback from service users, newest first, with personal details unsealed (or "[erased]")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInput
from service.auth.identity import Principal
from service.auth.permissions import authorize
from service.bootstrap import Services
from service.ids import valid_uuid
from service.reads.cursors import check_first, decode_cursor, encode_cursor


@dataclass(frozen=True, slots=True)
class FeedbackView:
    id: str
    team_id: str
    measure_id: str | None
    rating: int | None
    comment: str
    name: str | None
    contact: str | None
    given_at: datetime
    cursor: str


async def feedback_page(services: Services, principal: Principal, team_id: str, first: int,
                        after: str | None) -> tuple[list[FeedbackView], bool]:
    if not valid_uuid(team_id):
        raise InvalidInput(f"teamId {team_id!r} is not a team id.", field="teamId", code="INVALID_INPUT")
    authorize(principal, "feedback.read", team_id)
    check_first(first)
    before = decode_cursor(after) if after else 2**62
    async with services.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT feedback_id, team_id, measure_id, rating, comment, name, contact, given_at, position "
            "FROM feedback WHERE team_id = $1 AND position < $2 ORDER BY position DESC LIMIT $3",
            team_id, before, first + 1)
    shown = rows[:first]
    plain = await services.vault.unseal_all([r[c] for r in shown for c in ("comment", "name", "contact")])
    items = [FeedbackView(r["feedback_id"], r["team_id"], r["measure_id"], r["rating"], plain[3 * i] or "",
                          plain[3 * i + 1], plain[3 * i + 2], r["given_at"], encode_cursor(r["position"]))
             for i, r in enumerate(shown)]
    return items, len(rows) > first
