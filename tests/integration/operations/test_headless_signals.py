"""A headless `lakehouse materialize` killed with SIGKILL while it holds a slot does not hold the
lakehouse hostage: the next run reports it dead and finishes by itself. SIGTERM stops a run
within 10 s and leaves it CANCELED, its slots free. (Seeded chaos: ``tests/integration/chaos``.)"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))  # chaos/ is a tool folder at the repo root, not an installed package
from chaos.run import Lake, lakehouse, run_once  # noqa: E402

SELECT = ["--select", "key:bronze/products or key:silver/products"]
POOLS = ["delta_bronze_products", "delta_silver_products"]


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(tmp_path / "lake", tmp_path / "dagster", tmp_path / "landing")
    generate = lakehouse(
        lake, "generate", "--days", "2", "--rows-per-day", "50", "--out", str(lake.landing)
    )
    assert generate.wait(60) == 0
    return lake


def _first_day(lake: Lake) -> str:
    return min(p.name for p in (lake.landing / "products").iterdir())


def _wait_for_claimed_slot(lake: Lake, process: subprocess.Popen[str], timeout: float) -> str:
    """The run id holding a products slot, once the headless run claims one."""
    deadline = time.monotonic() + timeout
    with dg.DagsterInstance.from_config(str(lake.home)) as instance:
        while time.monotonic() < deadline and process.poll() is None:
            infos = instance.event_log_storage.get_concurrency_infos(POOLS)
            for info in infos.values():
                if info.claimed_slots:
                    return info.claimed_slots[0].run_id
            time.sleep(0.05)
    pytest.fail("the headless run never claimed a products slot")


def _status(lake: Lake, run_id: str) -> dg.DagsterRunStatus:
    with dg.DagsterInstance.from_config(str(lake.home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        return run.status


def test_a_run_killed_holding_a_slot_is_reported_and_the_next_run_finishes(lake: Lake) -> None:
    day = _first_day(lake)
    args = ["--start", day, "--end", day, *SELECT]
    killed = lakehouse(lake, "materialize", *args)
    run_id = _wait_for_claimed_slot(lake, killed, timeout=50)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert _status(lake, run_id) == dg.DagsterRunStatus.STARTED

    code, output, _ = run_once(lake, [*args, "--slot-timeout", "20"], timeout=50)

    assert code == 0, output
    assert f"run {run_id} (pid {killed.pid}) is dead (its process is gone): marked failed" in output
    assert "freed slots of pools delta_" in output
    assert _status(lake, run_id) == dg.DagsterRunStatus.FAILURE


def _enlarge_products(lake: Lake, day: str, rows: int) -> None:
    """Append ``rows`` new products to the day's file, so its run lasts seconds on any machine."""
    (landed,) = (lake.landing / "products" / day).glob("*.csv")
    with landed.open("a") as out:
        for i in range(rows):
            out.write(f"Q{i:07d},Big Thing,grocery,5.95,USD,{day}T00:36:00+00:00\n")


def test_sigterm_cancels_the_run_within_10_seconds(lake: Lake) -> None:
    day = _first_day(lake)
    _enlarge_products(lake, day, rows=300_000)
    process = lakehouse(lake, "materialize", "--start", day, "--end", day, *SELECT)
    run_id = _wait_for_claimed_slot(lake, process, timeout=50)
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)
    assert time.monotonic() - sent < 10
    assert process.returncode == 128 + signal.SIGTERM, output
    assert _status(lake, run_id) == dg.DagsterRunStatus.CANCELED, output
    with dg.DagsterInstance.from_config(str(lake.home)) as instance:
        statuses = [r.status for r in instance.get_runs()]
        assert not {dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING} & set(statuses)
        infos = instance.event_log_storage.get_concurrency_infos(POOLS)
        assert all(not info.claimed_slots for info in infos.values())


def test_stray_and_future_folders_are_reported_and_not_run(lake: Lake) -> None:
    (lake.landing / "products" / "latest").mkdir()
    (lake.landing / "products" / "2099-01-01").mkdir()
    (lake.landing / "products" / "2099-01-01" / "products_20990101_part01.csv").write_text("x\n")
    code, output, _ = run_once(lake, ["--select", "key:bronze/products"], timeout=55)
    assert code == 0, output
    assert f"products/2099-01-01/: in the future (today is {date.today()}" in output
    assert "products/latest/: not a landing day (YYYY-MM-DD): no run" in output
    assert "2099-01-01  " not in output
    assert len([line for line in output.splitlines() if "  ok  run " in line]) == 2
