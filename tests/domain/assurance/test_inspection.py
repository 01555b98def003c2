"""The Inspection aggregate's rules, Given/When/Then. No I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.assurance.inspection import Inspection
from domain.errors import DomainError, InvalidInput

AT = "2025-05-01T09:00:00+00:00"


def given_inspection() -> Inspection:
    inspection = Inspection.record(inspection_id=uuid4(), team_id="t", kind="EXTERNAL", body="CQC",
                                   visited_on=date(2025, 5, 1), inspectors=["Inspector A"], areas=["Safe", "Caring"])
    inspection.collect_events()
    return inspection


def test_an_inspection_kind_outside_internal_or_external_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        Inspection.record(inspection_id=uuid4(), team_id="t", kind="PEER", body="x", visited_on=date(2025, 5, 1),
                          inspectors=["A"], areas=["Safe"])
    assert e.value.field == "kind"


def test_an_area_is_rated_with_who_decided_and_why() -> None:
    inspection = given_inspection()
    inspection.rate("Safe", "REQUIRES_IMPROVEMENT", "Staffing gaps at night", "lead", AT)
    inspection.rate("Overall", "GOOD", "Caring and responsive", "lead", AT)
    assert [type(e).__name__ for e in inspection.collect_events()] == ["InspectionAreaRated"] * 2


def test_an_area_not_inspected_is_not_rated() -> None:
    with pytest.raises(InvalidInput) as e:
        given_inspection().rate("Well-led", "GOOD", "why", "lead", AT)
    assert e.value.field == "area"


def test_a_rating_outside_the_four_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_inspection().rate("Safe", "EXCELLENT", "why", "lead", AT)
    assert e.value.field == "rating"


def test_after_the_report_findings_are_invalid_state() -> None:
    inspection = given_inspection()
    inspection.record_finding("f1", "Fridge temperatures not logged", "MODERATE", "Three gaps in May", "lead", AT,
                              "Safe")
    inspection.report("Good overall", "lead", AT)
    with pytest.raises(DomainError) as e:
        inspection.record_finding("f2", "Late", "LOW", "why", "lead", AT)
    assert e.value.code == "INVALID_STATE"
