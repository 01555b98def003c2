"""Where the SPC test fixtures live, relative to this file (tests must not read /work/shared)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "spc"
