"""An integration: registered with the measures it may write; the list changed or the integration retired, each
with its reason."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import DomainError, InvalidInput
from domain.planning.integration import Integration, source_of


def registered(*measures: str) -> Integration:
    return Integration.register(integration_id=uuid4(), name=" Lab feed ", team_id="t1",
                                measure_ids=list(measures) or ["m1"], reason="Lab results")


def test_it_may_write_only_the_measures_it_is_registered_with() -> None:
    integration = registered("m1")
    assert integration.name == "Lab feed"
    assert integration.may_write("m1") and not integration.may_write("m2")


def test_a_registration_without_measures_or_with_a_repeat_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Integration.register(integration_id=uuid4(), name="x", team_id="t", measure_ids=[], reason="r")
    with pytest.raises(InvalidInput) as repeat:
        registered("m1", "m1")
    assert (repeat.value.field, repeat.value.index) == ("measureIds", 1)


def test_changing_the_measures_needs_a_reason_and_takes_effect() -> None:
    integration = registered("m1")
    with pytest.raises(InvalidInput):
        integration.change_measures(["m2"], " ")
    integration.change_measures(["m2"], "Moved to the new ward measure")
    assert integration.may_write("m2") and not integration.may_write("m1")


def test_a_retired_integration_writes_nothing_and_cannot_be_changed() -> None:
    integration = registered("m1")
    integration.retire("Replaced by the new lab system")
    assert not integration.may_write("m1")
    with pytest.raises(DomainError):
        integration.change_measures(["m1"], "again")
    with pytest.raises(DomainError):
        integration.retire("twice")


def test_its_events_name_it_as_the_source_system() -> None:
    integration = registered()
    assert source_of(str(integration.id)) == f"integration:{integration.id}"
