"""numba's cached kernels are dropped when any source of the SPC package changes, and kept while none does."""

from __future__ import annotations

import shutil
from pathlib import Path

from projections.spc.jit_cache import PACKAGE, drop_stale


def package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "spc"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_cached_kernels_are_kept_while_no_source_changes(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    assert drop_stale(package)  # first sight: no digest yet
    kernel = package / "__pycache__" / "chart_kernel.chart_series-10.py311.nbi"
    kernel.write_bytes(b"machine code")
    assert not drop_stale(package)
    assert kernel.exists()


def test_a_change_in_a_called_module_drops_every_cached_kernel(tmp_path: Path) -> None:
    package = package_copy(tmp_path)
    drop_stale(package)
    cached = [package / "__pycache__" / n for n in ("chart_kernel.chart_series-10.py311.nbi",
                                                     "chart_kernel.chart_series-10.py311.1.nbc")]
    for f in cached:
        f.write_bytes(b"machine code")
    (package / "windows.py").write_text((package / "windows.py").read_text() + "\n# changed\n")
    assert drop_stale(package)
    assert not any(f.exists() for f in cached)
