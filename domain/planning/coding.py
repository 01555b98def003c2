"""A code (system and code: SNOMED CT, LOINC or local) held by at most one measure. Each pair has its own stream,
so two commands racing to give one pair to two measures meet on that stream's version: the second sees the
first's claim and is refused, whatever the read models say yet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.aspects import Aspect
from domain.errors import InvalidInput
from domain.planning.rules import MAX_TITLE, required_text

ASPECT = Aspect.PLANNING
MAX_CODES = 20
# Claims' stream ids are derived from the pair, so every process finds the same stream without a look-up.
_NAMESPACE = UUID("6f1c4f1e-3c0b-4f7e-9d55-2b8f3c1d9a10")


def checked_codes(codes: Iterable[tuple[str, str]], in_use: Iterable[tuple[str, str]] = ()) -> list[dict[str, str]]:
    """The codes as stored ({"system", "code"} each), or INVALID naming `codes` and the index: blank, too long,
    repeated, or already identifying another measure (`in_use`)."""
    taken = set(in_use)
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for i, (system, code) in enumerate(codes):
        if i >= MAX_CODES:
            raise InvalidInput(f"A measure has at most {MAX_CODES} codes.", field="codes", code="INVALID")
        pair = (required_text(system, "codes", MAX_TITLE, index=i), required_text(code, "codes", 100, index=i))
        if pair in taken or pair in seen:
            raise InvalidInput(f"Code {pair[1]} of {pair[0]} already identifies a measure.", field="codes",
                               index=i, code="INVALID")
        seen.add(pair)
        out.append({"system": pair[0], "code": pair[1]})
    return out


def claim_id(system: str, code: str) -> UUID:
    return uuid5(_NAMESPACE, f"{system}\x1f{code}")


class CodeClaim(Aggregate):
    """Which measure a (system, code) pair identifies, if any."""

    class CodeClaimed(Aggregate.Created):
        system: str
        code: str
        measure_id: str

    @classmethod
    def claim_new(cls, *, system: str, code: str, measure_id: str) -> CodeClaim:
        return cls._create(cls.CodeClaimed, id=claim_id(system, code), system=system, code=code,
                           measure_id=measure_id)

    @event(CodeClaimed)
    def __init__(self, system: str, code: str, measure_id: str) -> None:
        self.system, self.code = system, code
        self.measure_id: str | None = measure_id

    def claim(self, measure_id: str, index: int) -> None:
        """Hold the pair for `measure_id`; INVALID (field codes, this index) while another measure holds it."""
        if self.measure_id == measure_id:
            return
        if self.measure_id is not None:
            raise InvalidInput(f"Code {self.code} of {self.system} already identifies a measure.", field="codes",
                               index=index, code="INVALID")
        self._taken(measure_id=measure_id)

    @event("CodeTaken")
    def _taken(self, measure_id: str) -> None:
        self.measure_id = measure_id

    def release(self, measure_id: str) -> None:
        """Free the pair when `measure_id` no longer has it (its definition changed, or its definition failed)."""
        if self.measure_id == measure_id:
            self._released(measure_id=measure_id)

    @event("CodeReleased")
    def _released(self, measure_id: str) -> None:
        self.measure_id = None


def pairs(codes: Sequence[object]) -> list[tuple[str, str]]:
    """(system, code) of stored codes ({"system", "code"} dicts) or of Coding values."""
    return [(c["system"], c["code"]) if isinstance(c, dict) else (c.system, c.code)  # type: ignore[attr-defined]
            for c in codes]
