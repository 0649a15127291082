"""A headless run SIGKILLed while it holds a pool slot does not block the daemon: a real
``dagster-daemon`` (dev instance: queued run coordinator, pools of one slot) fails the dead run
through the ``dead_runs`` sensor, frees its slot, and launches the queued run, which finishes
without help in bounded time. (The next headless run: ``test_headless_signals.py``.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.definitions import build_definitions
from lakehouse.operations.backfill import submit_backfill
from lakehouse.settings import load_settings

from .test_headless_signals import (
    POOLS,
    SELECT,
    Lake,
    _enlarge_products,
    _first_day,
    _wait_for_claimed_slot,
    lake,
)
from .test_headless_signals import lakehouse as lakehouse_process

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
BOUND_SECONDS = 300
"""Daemon start, one sensor tick (30 s), the dequeue and the run, on a busy 2-core machine."""

__all__ = ["lake"]


@contextmanager
def daemon(lake: Lake) -> Iterator[subprocess.Popen[bytes]]:
    """``dagster-daemon run`` on the lake's instance (the lakehouse's own sensors off)."""
    log = lake.home / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(REPO / "workspace.yaml")],
            cwd=REPO,
            env={**lake.env(), "LAKEHOUSE_SENSORS": "off"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


@pytest.mark.e2e
def test_the_daemon_frees_a_killed_runs_slot_and_its_queued_run_finishes(lake: Lake) -> None:
    day = _first_day(lake)
    (landed,) = (lake.landing / "products" / day).glob("*.csv")
    original = landed.read_text()
    _enlarge_products(lake, day, rows=300_000)  # the slot is held for seconds on any machine
    killed = lakehouse_process(lake, "materialize", "--start", day, "--end", day, *SELECT)
    dead_run = _wait_for_claimed_slot(lake, killed, timeout=150)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    landed.write_text(original)  # the daemon's run is quick again
    with daemon(lake) as process:
        _daemon_runs_the_queued_backfill(lake, process, day, dead_run)


def _daemon_runs_the_queued_backfill(
    lake: Lake, daemon: subprocess.Popen[bytes], day: str, dead_run: str
) -> None:
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(lake.root), "LAKEHOUSE_LANDING": str(lake.landing)}
    )
    with dg.DagsterInstance.from_config(str(lake.home)) as instance:
        submit_backfill(
            instance,
            build_definitions(settings),
            "key:bronze/products or key:silver/products",
            date.fromisoformat(day),
            date.fromisoformat(day),
        )
    deadline = time.monotonic() + BOUND_SECONDS
    with dg.DagsterInstance.from_config(str(lake.home)) as instance:
        while True:
            runs = [r for r in instance.get_runs() if r.tags.get("dagster/backfill")]
            if runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs):
                break
            failed = [r for r in runs if r.status == dg.DagsterRunStatus.FAILURE]
            assert not failed, (lake.home / "daemon.log").read_text()[-4000:]
            assert daemon.poll() is None, (lake.home / "daemon.log").read_text()[-4000:]
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no daemon-launched run finished within {BOUND_SECONDS} s: "
                    f"{[(r.run_id, r.status) for r in runs]}\n"
                    + (lake.home / "daemon.log").read_text()[-4000:]
                )
            time.sleep(2)
        run = instance.get_run_by_id(dead_run)
        assert run is not None and run.status == dg.DagsterRunStatus.FAILURE
        infos = instance.event_log_storage.get_concurrency_infos(POOLS)
        assert all(not info.claimed_slots for info in infos.values())
