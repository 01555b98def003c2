"""Process tuning of the long-running `qms` processes, checked in fresh interpreters (it is process-wide)."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def test_tune_gc_freezes_start_up_objects_and_collects_the_young_generation_less_often() -> None:
    got = _run("import gc, json; from service.edge.process import tune_gc, YOUNG_GENERATION; "
               "before = gc.get_threshold(); "
               "tune_gc(); print(json.dumps({'before': before, 'after': gc.get_threshold(), "
               "'frozen': gc.get_freeze_count(), 'young': YOUNG_GENERATION}))")
    assert got["after"] == [got["young"], *got["before"][1:]] and got["after"][0] > got["before"][0]
    assert got["frozen"] > 1000  # the modules and objects made at start-up, out of the collector's sight


def test_the_projection_process_beside_serve_runs_at_a_lower_priority() -> None:
    got = _run("import os, json; from service.edge.process import lower_priority; before = os.getpriority("
               "os.PRIO_PROCESS, 0); lower_priority(); print(json.dumps({'before': before, "
               "'after': os.getpriority(os.PRIO_PROCESS, 0)}))")
    assert got["after"] == min(got["before"] + 10, 19)
