"""A finding of an audit or an inspection: what was found, how severe, and who decided it and why."""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidInput
from domain.planning.rules import MAX_TITLE, required_text

SEVERITIES = ("LOW", "MODERATE", "HIGH", "CRITICAL")


def finding(finding_id: str, title: str, severity: str, rationale: str, decided_by: str, at: str,
            criterion: str | None = None) -> dict[str, Any]:
    """A checked finding as an event stores it; severity outside SEVERITIES: INVALID."""
    if severity not in SEVERITIES:
        raise InvalidInput(f"severity must be one of {', '.join(SEVERITIES)}.", field="severity", code="INVALID")
    return {"id": finding_id, "title": required_text(title, "title", MAX_TITLE), "severity": severity,
            "rationale": required_text(rationale, "rationale"), "decided_by": decided_by, "at": at,
            "criterion": criterion}
