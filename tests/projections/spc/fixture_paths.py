"""Where the SPC test fixtures live: in the repository, beside the tests, with their provenance and licences."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "spc"
