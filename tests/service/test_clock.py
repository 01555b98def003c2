"""The service's today: a calendar day in its time zone, which is not always UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.clock import today
from service.settings import Settings


def test_late_on_a_summer_evening_utc_it_is_already_tomorrow_in_london() -> None:
    at = datetime(2025, 7, 1, 23, 30, tzinfo=UTC)
    assert today("Europe/London", at) == date(2025, 7, 2)
    assert today("UTC", at) == date(2025, 7, 1)


def test_in_winter_london_keeps_utc_s_day() -> None:
    assert today("Europe/London", datetime(2025, 1, 1, 23, 30, tzinfo=UTC)) == date(2025, 1, 1)


def test_the_time_zone_defaults_to_london_and_an_unknown_one_is_refused_at_start() -> None:
    assert Settings().time_zone == "Europe/London"
    assert Settings.from_env(time_zone="Pacific/Auckland").time_zone == "Pacific/Auckland"
    with pytest.raises(ValueError, match="QMS_TIME_ZONE"):
        Settings(time_zone="Mars/Olympus_Mons")
