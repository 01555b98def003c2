"""A measure fully defined: its owner, exactly how it is counted, and the external codes (SNOMED CT, LOINC or
local) that intake matches on. The checks live here; the Measure aggregate records each change with its reason."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput
from domain.planning.rules import MAX_ITEMS, MAX_TITLE, required_text, text_list

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
MAX_CODES = 20


@dataclass(frozen=True, slots=True)
class Coding:
    system: str   # a URI: SNOMED CT, LOINC, or a local code system's
    code: str


@dataclass(frozen=True, slots=True)
class Specification:
    owner: str                      # the owner's subject
    numerator: str
    denominator: str | None = None  # None for a count or a plain value
    inclusions: Sequence[str] = ()
    exclusions: Sequence[str] = ()
    data_source: str = ""
    codes: Sequence[Coding] = ()

    def checked(self, codes_in_use: Collection[tuple[str, str]]) -> dict[str, Any]:
        """The specification as stored, or INVALID naming the field (and index); `codes_in_use`: the (system, code)
        pairs other measures already have, since a pair identifies at most one measure."""
        if len(self.inclusions) > MAX_ITEMS or len(self.exclusions) > MAX_ITEMS:
            raise InvalidInput(f"A list has at most {MAX_ITEMS} items.", field="inclusions", code="INVALID")
        if len(self.codes) > MAX_CODES:
            raise InvalidInput(f"A measure has at most {MAX_CODES} codes.", field="codes", code="INVALID")
        codes: list[dict[str, str]] = []
        for i, c in enumerate(self.codes):
            pair = (required_text(c.system, "codes", MAX_TITLE, index=i), required_text(c.code, "codes", 100, index=i))
            if pair in codes_in_use or {"system": pair[0], "code": pair[1]} in codes:
                raise InvalidInput(f"Code {pair[1]} of {pair[0]} already identifies a measure.", field="codes",
                                   index=i, code="INVALID")
            codes.append({"system": pair[0], "code": pair[1]})
        return {"owner": required_text(self.owner, "owner", MAX_TITLE),
                "numerator": required_text(self.numerator, "numerator"),
                "denominator": required_text(self.denominator, "denominator") if self.denominator else None,
                "inclusions": text_list(self.inclusions, "inclusions"),
                "exclusions": text_list(self.exclusions, "exclusions"),
                "data_source": required_text(self.data_source, "dataSource", MAX_TITLE), "codes": codes}
