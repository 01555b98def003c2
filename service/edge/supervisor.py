"""Runs `qms project` beside the API process and restarts it if it dies, so projections have a core of their
own; the advisory locks make it safe to run any number of them."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

log = logging.getLogger(__name__)


class ProjectionProcess:
    def __init__(self, restart_delay: float = 1.0) -> None:
        self.restart_delay = restart_delay
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, name="projection-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            self._process = subprocess.Popen([sys.executable, "-m", "service.edge.cli", "project", "--with-parent",
                                              str(os.getpid())])
            code = self._process.wait()
            if not self._stopping.is_set():
                log.warning("projection process exited with %s; restarting", code)
                self._stopping.wait(self.restart_delay)

    def stop(self) -> None:
        self._stopping.set()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._thread.join(5)
