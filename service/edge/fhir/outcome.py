"""FHIR's answers: an OperationOutcome's issues (severity, code, diagnostics, the expression of the field), and
the error that carries them out of a check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

MEDIA_TYPE = "application/fhir+json"


@dataclass(frozen=True, slots=True)
class Issue:
    code: str                  # FHIR's issue-type: invalid, structure, required, value, code-invalid, not-found, ...
    diagnostics: str
    expression: str | None = None
    severity: str = "error"

    def json(self) -> dict[str, Any]:
        issue: dict[str, Any] = {"severity": self.severity, "code": self.code, "diagnostics": self.diagnostics}
        if self.expression:
            issue["expression"] = [self.expression]
        return issue

    def within(self, prefix: str) -> Issue:
        """The same issue about a resource inside a Bundle (`Bundle.entry[3].resource`)."""
        where = self.expression or ""
        first, dot, rest = where.partition(".")
        expression = f"{prefix}.{rest}" if dot and first in ("Observation", "MeasureReport") else prefix
        return Issue(self.code, self.diagnostics, expression, self.severity)


class FhirError(Exception):
    """A resource or request refused: the HTTP status and the OperationOutcome's issues."""

    def __init__(self, status: int, issues: list[Issue]) -> None:
        super().__init__("; ".join(i.diagnostics for i in issues))
        self.status, self.issues = status, issues


def refuse(status: int, code: str, diagnostics: str, expression: str | None = None) -> FhirError:
    return FhirError(status, [Issue(code, diagnostics, expression)])


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [i.json() for i in issues]}


def from_validation(error: ValidationError, resource_type: str) -> FhirError:
    """The model library's findings as issues, each pointing at the field (FHIRPath-like, as FHIR servers do)."""
    issues = []
    for e in error.errors()[:20]:
        parts = [resource_type]
        for p in e["loc"]:
            if isinstance(p, int):
                parts[-1] += f"[{p}]"
            elif p != "__root__":
                parts.append(str(p))
        message = str(e["msg"]).removeprefix("Value error, ")
        kind = "required" if e["type"] == "missing" else "structure" if e["type"] == "extra_forbidden" else "value"
        issues.append(Issue(kind, f"{message}.".replace("..", "."), ".".join(parts)))
    return FhirError(400, issues)
