"""SIGTERM and SIGINT end a `qms` process by an ordinary exit, so its finally blocks and exit handlers run (the
last process using the embedded PostgreSQL stops it in one)."""

from __future__ import annotations

import signal
import sys
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit(signum: int, _: FrameType | None) -> None:
    sys.exit(128 + signum)  # the code a shell reports for a process the signal ended


def exit_on_signals() -> None:
    """Install the handler. Uvicorn and asyncio install their own while they run and restore this one after;
    uvicorn then raises the signal again, which lands here instead of the default action, which ends the process
    on the spot without running exit handlers."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _exit)
