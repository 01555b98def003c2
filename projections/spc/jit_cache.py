"""numba's on-disk cache, dropped when any source of the SPC package changes.

numba keys a cached function by its own file's modification time only, not by the modules it calls: after an
upgrade that changed windows.py but not chart_kernel.py, the cached chart call would run the old rule passes. So
the package keeps a digest of its sources beside the cache, and a process that finds it different deletes the
cached machine code before any kernel loads (it is compiled again, about 10 s of CPU, and cached anew)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STAMP = "numba-sources.sha256"


def sources_digest(package: Path = PACKAGE) -> str:
    digest = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_folders(package: Path = PACKAGE) -> list[Path]:
    """Where numba keeps this package's cache: `__pycache__` beside it, or under NUMBA_CACHE_DIR when set."""
    folders = [package / "__pycache__"]
    root = os.environ.get("NUMBA_CACHE_DIR")
    if root:
        folders += [p for p in Path(root).rglob("__pycache__") if p.parent.name == package.name] + [
            p for p in Path(root).rglob(package.name) if p.is_dir()]
    return folders


def drop_stale(package: Path = PACKAGE) -> bool:
    """Delete the cached kernels if the package's sources changed since they were cached; True if it did."""
    digest = sources_digest(package)
    folder = package / "__pycache__"
    stamp = folder / STAMP
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    for cached in cache_folders(package):
        for f in [*cached.glob("*.nbi"), *cached.glob("*.nbc")]:
            f.unlink(missing_ok=True)  # another process may be dropping them too
    try:
        folder.mkdir(exist_ok=True)
        partial = folder / f"{STAMP}.{os.getpid()}"
        partial.write_text(digest)
        partial.replace(stamp)  # atomic: a reader sees the old digest or the new one
    except OSError:
        pass  # a read-only install: numba cannot cache there either
    return True
