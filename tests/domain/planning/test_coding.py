"""A (system, code) pair's claim: held by one measure at a time, released only by its holder."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.planning.coding import CodeClaim, checked_codes, claim_id

LOINC = "http://loinc.org"


def test_a_claim_s_stream_is_derived_from_the_pair_alone() -> None:
    assert claim_id(LOINC, "1") == claim_id(LOINC, "1") != claim_id(LOINC, "2")
    assert CodeClaim.claim_new(system=LOINC, code="1", measure_id="m1").id == claim_id(LOINC, "1")


def test_a_pair_held_by_another_measure_is_refused_naming_the_index() -> None:
    claim = CodeClaim.claim_new(system=LOINC, code="1", measure_id="m1")
    with pytest.raises(InvalidInput) as refused:
        claim.claim("m2", 3)
    assert (refused.value.field, refused.value.index, refused.value.code) == ("codes", 3, "INVALID")


def test_the_holder_claiming_again_records_nothing() -> None:
    claim = CodeClaim.claim_new(system=LOINC, code="1", measure_id="m1")
    claim.collect_events()
    claim.claim("m1", 0)
    assert claim.collect_events() == []


def test_a_released_pair_can_be_taken_by_another_measure_and_only_the_holder_releases() -> None:
    claim = CodeClaim.claim_new(system=LOINC, code="1", measure_id="m1")
    claim.release("m2")
    assert claim.measure_id == "m1"
    claim.release("m1")
    claim.claim("m2", 0)
    assert claim.measure_id == "m2"
    assert [type(e).__name__ for e in claim.collect_events()] == ["CodeClaimed", "CodeReleased", "CodeTaken"]


def test_codes_are_trimmed_and_a_repeat_or_blank_is_refused() -> None:
    assert checked_codes([(f" {LOINC} ", " 1 ")]) == [{"system": LOINC, "code": "1"}]
    with pytest.raises(InvalidInput) as repeated:
        checked_codes([(LOINC, "1"), (LOINC, "1")])
    assert repeated.value.index == 1
    with pytest.raises(InvalidInput):
        checked_codes([(LOINC, " ")])
