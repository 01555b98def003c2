"""SIGTERM and SIGINT end a `qms` process by unwinding it, so its finally blocks run and it leaves the embedded
PostgreSQL (which the last process using it stops); then it ends by the signal, as a service manager expects."""

from __future__ import annotations

import signal
import sys
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(SystemExit):
    """Raised by a stop signal: unwinds the process up to main()."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)  # should anything report it as an exit code: what a shell would
        self.signum = signum


def _stop(signum: int, _: FrameType | None) -> None:
    raise Stopped(signum)


def exit_on_signals() -> None:
    """Install the handler. Uvicorn and asyncio install their own while they run and restore this one after;
    uvicorn then raises the signal again, which lands here instead of the default action, which would end the
    process on the spot: no finally block, no exit handler, and the embedded server's list of users kept a
    process that had gone."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)


def end_by(stopped: Stopped) -> None:
    """Leave the embedded server (the one exit handler that matters), then end by the signal itself: systemd
    counts a SIGTERM death as a clean stop but an exit status of 143 as a failure."""
    from service.eventstore.embedded import release_all

    release_all()
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(stopped.signum, signal.SIG_DFL)
    signal.raise_signal(stopped.signum)
