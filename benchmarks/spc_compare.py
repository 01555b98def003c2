"""The SPC chart call of this tree beside the same call of an earlier revision, in one process, alternating: the
speed-up of a change on a shared machine, where separate runs drift further apart than the change itself (it
prints wall and CPU time; under heavy load the CPU time is the steadier).

    .venv/bin/python benchmarks/spc_compare.py <revision>   # e.g. main, or a commit before a kernel change

The revision's projections/spc is taken from git into a temporary package (its imports renamed), charted on the
same series as spc_bench.py builds, and checked to give the same rules and variation.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import importlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import spc_bench as bench  # noqa: E402

from projections.spc.fold import chart_series  # noqa: E402

PACKAGE = "earlier_spc"


def load_earlier(revision: str, into: Path) -> tuple[object, object]:
    """The revision's fold and columns modules, as package PACKAGE under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "projections/spc"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(".py"):
                text = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
                target = into / PACKAGE / Path(member.name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(re.sub(r"\bprojections\.spc\b", PACKAGE, text))
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{PACKAGE}.fold"), importlib.import_module(f"{PACKAGE}.columns")


def main() -> None:
    revision = sys.argv[1] if len(sys.argv) > 1 else "main"
    rounds = int(os.environ.get("ROUNDS", "20"))
    with tempfile.TemporaryDirectory() as tmp:
        fold, columns = load_earlier(revision, Path(tmp))
        ours = bench.make_series(np.random.default_rng(7))
        bench.Series, bench.Columns = fold.Series, columns.Columns  # type: ignore[attr-defined]
        theirs = bench.make_series(np.random.default_rng(7))
        points = sum(s.days.size for s in ours)
        a, b = chart_series(ours), fold.chart_series(theirs)  # type: ignore[attr-defined]
        same = np.array_equal(a.rules, b.rules) and np.array_equal(a.variation, b.variation)
        best = {"this tree": float("inf"), revision: float("inf")}
        cpu = dict(best)
        for i in range(rounds):  # alternating, each first in every other round
            earlier = fold.chart_series  # type: ignore[attr-defined]
            pairs = [("this tree", chart_series, ours), (revision, earlier, theirs)]
            for name, call, many in pairs if i % 2 else pairs[::-1]:
                t0, c0 = time.perf_counter(), time.process_time()
                call(many)
                best[name] = min(best[name], time.perf_counter() - t0)
                cpu[name] = min(cpu[name], time.process_time() - c0)
    for name, t in best.items():
        print(f"chart_series, {name:12s}: {t * 1e3:8.2f} ms  {points / t / 1e6:8.1f} M points/s; "
              f"CPU time {cpu[name] * 1e3:8.2f} ms")
    # CPU time leaves out the time the process waited for a core, the noisiest part on a loaded machine
    print(f"speed-up: {best[revision] / best['this tree']:.2f}x wall, {cpu[revision] / cpu['this tree']:.2f}x CPU time "
          f"(best of {rounds} each); rules and variation {'equal' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
