"""Make the repository root importable when pytest is run without installing the project."""

from __future__ import annotations

import sys
from pathlib import Path

# The pyproject has no `pythonpath` setting yet and the package is not installed in the venv.
ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "spc"
