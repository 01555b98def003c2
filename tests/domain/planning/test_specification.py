"""A measure fully defined: owner, how it is counted, and its external codes; each change an event with its
reason. Given/When/Then, no I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.control.measure import Measure, MeasureDefinition
from domain.errors import InvalidInput
from domain.planning.specification import LOINC, SNOMED, Coding, Specification

FALLS = Specification(owner="ward7-sister", numerator="Inpatient falls in the month",
                      denominator="Occupied bed days in the month / 1,000", inclusions=["All adult inpatients"],
                      exclusions=["Falls before admission"], data_source="Datix incident reports",
                      codes=[Coding(SNOMED, "217082002")])


def given_measure() -> Measure:
    m = Measure.define(measure_id=uuid4(), definition=MeasureDefinition("t", "Falls", "OUTCOME", "DECREASE"))
    m.collect_events()
    return m


def test_a_specification_is_recorded_with_its_reason_and_changed_again_later() -> None:
    m = given_measure()
    m.specify(FALLS, codes_in_use=set(), reason="Agreed definition for the 2025/26 plan")
    m.specify(Specification(owner="matron", numerator=FALLS.numerator, denominator=FALLS.denominator,
                            data_source="Ward safety dashboard", codes=[Coding(LOINC, "LP1234-5")]),
              codes_in_use=set(), reason="New data source after the Datix migration")
    events = m.collect_events()
    assert [type(e).__name__ for e in events] == ["MeasureSpecified", "MeasureSpecified"]
    assert [e.reason for e in events] == ["Agreed definition for the 2025/26 plan",  # type: ignore[attr-defined]
                                          "New data source after the Datix migration"]
    assert m.specification["owner"] == "matron"
    assert m.specification["codes"] == [{"system": LOINC, "code": "LP1234-5"}]


def test_a_code_that_already_identifies_another_measure_is_invalid_with_its_index() -> None:
    m = given_measure()
    spec = Specification(owner="o", numerator="n", data_source="d",
                         codes=[Coding("urn:local", "A1"), Coding(SNOMED, "217082002")])
    with pytest.raises(InvalidInput) as e:
        m.specify(spec, codes_in_use={(SNOMED, "217082002")}, reason="r")
    assert (e.value.field, e.value.index) == ("codes", 1)
    assert m.collect_events() == []


@pytest.mark.parametrize(("field", "values"), [("owner", {"owner": " "}), ("numerator", {"numerator": ""}),
                                               ("dataSource", {"data_source": " "})])
def test_a_blank_owner_numerator_or_data_source_is_invalid(field: str, values: dict[str, str]) -> None:
    spec = {"owner": "o", "numerator": "n", "data_source": "d", **values}
    with pytest.raises(InvalidInput) as e:
        given_measure().specify(Specification(**spec), codes_in_use=set(), reason="r")  # type: ignore[arg-type]
    assert e.value.field == field
