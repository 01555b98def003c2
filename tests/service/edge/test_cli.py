"""The `qms` command line as a user runs it: each command in its own process, against a throw-away database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[3]


def qms_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "QMS_JWT_SECRET": TEST_SECRET, "PYTHONPATH": str(ROOT),
            "QMS_DATA_DIR": str(data_dir)}


async def test_a_rebuild_ends_within_a_second_or_so_of_its_last_batch(
        make_database: Callable[[], Awaitable[str]], tmp_path: Path) -> None:
    env = qms_env(await make_database(), tmp_path)
    subprocess.run([sys.executable, "-m", "service.edge.cli", "demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    # The projections that skip every event here (the hang came most often with them), a few times, then all of them.
    for names in [["feedback", "erasures"]] * 4 + [[]]:
        with subprocess.Popen([sys.executable, "-m", "service.edge.cli", "rebuild", *names], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
            assert process.stdout is not None
            rebuilt = None
            for line in process.stdout:  # the line comes once every rebuilt projection has reached the head
                if line.startswith("rebuilt "):
                    rebuilt = time.monotonic()
            process.wait(60)
        ended = time.monotonic()
        assert process.returncode == 0 and rebuilt is not None
        # Shutdown that waited on a runner which missed its cancel lasted its whole 10 s timeout.
        assert ended - rebuilt < 3.0, f"`qms rebuild {' '.join(names)}` took {ended - rebuilt:.1f} s to end"
