"""The Organisation aggregate's rules: directorates and the strategy by year. Given/When/Then, no I/O."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidInput
from domain.planning.organisation import Organisation, Priority


def given_organisation() -> Organisation:
    org = Organisation.establish(organisation_id=uuid4(), name="Riverside NHS Trust", root_team_id="root")
    org.collect_events()
    return org


def then_events(org: Organisation) -> list[str]:
    return [type(e).__name__ for e in org.collect_events()]


def test_a_team_directly_below_the_root_becomes_a_directorate() -> None:
    org = given_organisation()
    org.designate_directorate("medicine", parent_id="root")
    assert then_events(org) == ["DirectorateDesignated"]
    assert org.directorates == ["medicine"]


def test_a_team_further_down_is_not_a_directorate() -> None:
    org = given_organisation()
    with pytest.raises(InvalidInput) as e:
        org.designate_directorate("ward-7", parent_id="medicine")
    assert e.value.field == "teamId"
    assert then_events(org) == []


def test_a_strategy_is_kept_per_year_and_revised_by_setting_it_again() -> None:
    org = given_organisation()
    org.set_strategy(2025, "Outstanding care", "Safe, kind, effective", [Priority("safe-care", "Safe care")], "Board")
    org.set_strategy(2026, "Outstanding care", "Safe, kind, effective",
                     [Priority("SAFE-CARE", "Safe care"), Priority("ACCESS", "Timely access")], "Board")
    org.set_strategy(2025, "Outstanding care", "Safe and kind", [Priority("SAFE-CARE", "Safer care")], "Refresh")
    assert then_events(org) == ["StrategySet", "StrategySet", "StrategySet"]
    assert org.priority_codes(2025) == {"SAFE-CARE"}
    assert org.priority_codes(2026) == {"SAFE-CARE", "ACCESS"}
    assert org.priority_codes(2024) == set()


def test_a_priority_code_used_twice_is_invalid_with_its_index() -> None:
    org = given_organisation()
    with pytest.raises(InvalidInput) as e:
        org.set_strategy(2025, "v", "m", [Priority("A", "One"), Priority("a", "Two")], "why")
    assert (e.value.field, e.value.index) == ("code", 1)


def test_a_strategy_for_a_year_out_of_range_is_invalid() -> None:
    with pytest.raises(InvalidInput) as e:
        given_organisation().set_strategy(1900, "v", "m", [Priority("A", "One")], "why")
    assert e.value.field == "year"
