"""`make run`'s supervisor stops Dagster (webserver, daemon, code server) within 10 s of Ctrl-C."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import PROJECT, _free_port

BIN = Path(sys.executable).parent


def _group_alive(pgid: int) -> bool:
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True).returncode == 0


def _ready(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


@pytest.mark.e2e
def test_dagster_stops_within_ten_seconds_of_ctrl_c(tmp_path: Path) -> None:
    """SIGINT is what Ctrl-C sends; SIGTERM takes the same path in scripts/run-dev.sh."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(PROJECT / "infra" / "dagster" / "dagster.dev.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "LAKEHOUSE_ROOT": str(tmp_path / "lake"),
        "LAKEHOUSE_LANDING": str(tmp_path / "landing"),
        "LAKEHOUSE_SENSORS": "off",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [str(PROJECT / "scripts" / "run-dev.sh"), str(BIN / "dg"), "dev"]
    command += ["-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
    # A terminal's Ctrl-C reaches a shell whose SIGINT is not ignored; a test runner started in
    # the background of a non-interactive shell ignores SIGINT, and bash cannot trap a signal
    # ignored on entry: restore the default as a terminal would have it.
    supervisor = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    group = None
    try:
        assert _ready(port, time.monotonic() + 240), "the UI did not come up"
        children = subprocess.run(
            ["pgrep", "-P", str(supervisor.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children, "dg dev was not started"
        group = int(children[0])
        started = time.monotonic()
        supervisor.send_signal(signal.SIGINT)
        supervisor.wait(timeout=15)
        while _group_alive(group) and time.monotonic() - started < 15:
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        assert not _group_alive(group), "Dagster processes outlived the supervisor"
        assert elapsed <= 10, f"stopping took {elapsed:.1f} s"
    finally:
        for leftover in (supervisor.pid, group):
            if leftover is not None and _group_alive(leftover):
                os.killpg(leftover, signal.SIGKILL)
