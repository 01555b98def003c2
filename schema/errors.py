"""Domain errors to typed user errors, in one place."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError


@strawberry.type
class UserError:
    code: str
    message: str
    field: str | None = None
    index: int | None = None


def user_error(e: DomainError) -> UserError:
    return UserError(code=e.code, message=e.message, field=e.field, index=e.index)


def user_error_from_dict(e: dict[str, object]) -> UserError:
    return UserError(code=str(e["code"]), message=str(e["message"]), field=e.get("field"),  # type: ignore[arg-type]
                     index=e.get("index"))  # type: ignore[arg-type]
