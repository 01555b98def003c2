"""The embedded PostgreSQL stops with the last qms process using it, whatever happened before: `qms serve` and its
projection process run for real here, each test on a fresh data folder, and are stopped or killed as a user or a
service manager would."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from service.eventstore.embedded import HANDLES, prune, running_postmaster
from tests.conftest import TEST_SECRET, free_port

ROOT = Path(__file__).resolve().parents[3]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting until {what}"
        time.sleep(0.1)


def postgres_on(folder: Path) -> list[psutil.Process]:
    """The PostgreSQL server processes running on `folder`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if process.info["name"] == "postgres" and str(folder) in " ".join(process.info["cmdline"] or ()):
                found.append(process)
    return found


def running(pid: int) -> bool:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    return False


def handles(data_dir: Path) -> list[int]:
    """The processes listed as using the server. Its users rewrite the list under a lock this test does not take:
    a read may find it empty, half written."""
    path = data_dir / "pg" / HANDLES
    for _ in range(50):
        with contextlib.suppress(ValueError):
            return json.loads(path.read_text()) if path.exists() else []
        time.sleep(0.02)
    raise AssertionError(f"{path} stayed unreadable")


class Qms:
    """`qms` commands on one data folder, with the embedded server (no DATABASE_URL)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QMS_PROJECTIONS")}
        self.env.update(QMS_DATA_DIR=str(data_dir), QMS_JWT_SECRET=TEST_SECRET, PYTHONPATH=str(ROOT))
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def run(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "service.edge.cli", *args], env=self.env, cwd=ROOT, check=True,
                       capture_output=True, timeout=120)

    def serve(self) -> subprocess.Popen[bytes]:
        """`qms serve` with its projection process, once both use the database."""
        port = free_port()
        log = self.data_dir.parent / f"serve-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "service.edge.cli", "serve", "--port", str(port)],
                                       env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # a process group of its own, as in a terminal
        self.started.append(process)

        def answers() -> bool:
            assert process.poll() is None, self.logs[-1].read_text()
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            return False

        wait_until(answers, 60, "qms serve answers")
        wait_until(lambda: len(set(handles(self.data_dir)) & {p.pid for p in self.family(process)}) == 2, 60,
                   "the API and its projection process both use the embedded server")
        return process

    @staticmethod
    def family(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            parent = psutil.Process(process.pid)
            return [parent, *parent.children()]
        return []

    def stop(self, process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
        process.send_signal(sig)
        process.wait(60)
        assert process.returncode == -sig  # ended by the signal, as a service manager expects, once it cleaned up

    def no_postgres_remains(self, timeout: float = 20) -> None:
        wait_until(lambda: not postgres_on(self.data_dir), timeout, "no PostgreSQL process runs on the folder")
        assert handles(self.data_dir) == []

    def log(self, index: int = -1) -> str:
        return self.logs[index].read_text()

    def clean_up(self) -> None:
        """Whatever a failed test left running, it started: end those processes, by pid."""
        for process in self.started:
            for member in reversed(self.family(process)):
                with contextlib.suppress(psutil.Error):
                    member.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        for server in postgres_on(self.data_dir):
            with contextlib.suppress(psutil.Error):
                server.kill()


@pytest.fixture
def qms() -> Iterator[Qms]:
    # Not under pytest's tmp_path: run as root, the server runs as another user, which must reach its folder, and
    # every pytest session that starts on this machine (another worktree's, say) makes /tmp/pytest-of-root
    # private again.
    folder = Path(tempfile.mkdtemp(prefix="qms-lifecycle-"))
    runner = Qms(folder / "data")
    try:
        yield runner
    finally:
        runner.clean_up()
        shutil.rmtree(folder, ignore_errors=True)


def test_serve_stopped_with_sigterm_leaves_no_postgres_running_on_its_folder(qms: Qms) -> None:
    process = qms.serve()
    assert postgres_on(qms.data_dir)
    qms.stop(process)
    qms.no_postgres_remains()


def test_serve_stopped_with_ctrl_c_in_its_terminal_leaves_no_postgres_running(qms: Qms) -> None:
    process = qms.serve()
    os.killpg(process.pid, signal.SIGINT)  # the terminal sends it to the whole process group
    process.wait(60)
    assert process.returncode == -signal.SIGINT
    qms.no_postgres_remains()


def test_of_two_serves_on_one_folder_the_first_to_stop_leaves_the_server_to_the_other(qms: Qms) -> None:
    first, second = qms.serve(), qms.serve()
    qms.stop(first)
    time.sleep(1.0)
    assert postgres_on(qms.data_dir)
    assert set(handles(qms.data_dir)) == {p.pid for p in qms.family(second)}
    qms.stop(second)
    qms.no_postgres_remains()


def test_serve_after_qms_demo_stopped_with_sigterm_leaves_no_postgres_running(qms: Qms) -> None:
    qms.run("demo")
    qms.no_postgres_remains()  # the demo loader was the server's only user
    qms.stop(qms.serve())
    qms.no_postgres_remains()


def test_serve_killed_with_9_then_restarted_and_stopped_leaves_no_postgres_running(qms: Qms) -> None:
    first = qms.serve()
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    qms.no_postgres_remains()  # its projection process noticed, stopped, and was the server's last user
    qms.stop(qms.serve())
    qms.no_postgres_remains()


def test_a_start_adopts_a_postmaster_a_crash_left_running_says_so_and_stops_it_at_the_end(qms: Qms) -> None:
    first = qms.serve()
    for member in reversed(qms.family(first)):  # the whole family at once: nobody is left to stop the server
        member.kill()
    first.wait(10)
    wait_until(lambda: not any(running(p) for p in handles(qms.data_dir)), 10, "the killed processes are gone")
    stale = [p.pid for p in postgres_on(qms.data_dir)]  # only the postmaster's command line names the folder
    assert len(stale) == 1, "the postmaster outlived the processes that used it"
    second = qms.serve()
    assert f"adopting the PostgreSQL server (pid {stale[0]})" in qms.log()
    qms.stop(second)
    qms.no_postgres_remains()


def test_listed_users_that_are_gone_or_whose_pid_a_later_process_reuses_are_dropped(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as ended:
        ended.wait(10)
    (tmp_path / HANDLES).write_text(json.dumps([os.getpid(), ended.pid]))
    assert prune(tmp_path) == [ended.pid]
    assert json.loads((tmp_path / HANDLES).read_text()) == [os.getpid()]
    listed_before_this_process = psutil.Process().create_time() - 60  # a process that died; its pid now ours
    os.utime(tmp_path / HANDLES, (listed_before_this_process, listed_before_this_process))
    assert prune(tmp_path) == [os.getpid()]
    assert prune(tmp_path, keep=os.getpid()) == []


def test_a_list_of_users_a_crash_cut_short_is_started_afresh_rather_than_stopping_every_start(tmp_path: Path) -> None:
    (tmp_path / HANDLES).write_text("[12")
    assert prune(tmp_path) == []
    assert json.loads((tmp_path / HANDLES).read_text()) == []


def test_a_postmaster_pid_file_whose_pid_now_names_another_program_is_removed_not_adopted(tmp_path: Path) -> None:
    lines = [str(os.getpid()), str(tmp_path), str(int(time.time())), "5432", str(tmp_path), "", "1 2", "ready"]
    (tmp_path / "postmaster.pid").write_text("\n".join(lines) + "\n")  # left by a server before a restart
    assert running_postmaster(tmp_path) is None
    assert not (tmp_path / "postmaster.pid").exists()  # so a server starts, instead of a connection failing
