"""A short, deterministic chaos series on a small lakehouse (bronze and silver of orders, one
day): a SIGKILL inside the silver write, and the root's disk filled mid-write. After each: every
table readable, the rerun reaches exactly the reference's rows, no run STARTED, no slot claimed.
The S3 and PostgreSQL faults each need their own servers and a second warm process (tens of
seconds), so they run in `make chaos` only."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))  # chaos/ is a tool folder at the repo root, not an installed package
from chaos.iteration import Outcome, Series  # noqa: E402
from chaos.run import Lake, build_reference  # noqa: E402
from chaos.services import Postgres, SmallDisk  # noqa: E402

CHAIN = ("bronze/orders", "silver/orders")
"""The reference: these two tables only."""
ROWS_PER_DAY = 12000
"""Enough orders that the silver write lasts about half a second alone."""


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Series]:
    work = tmp_path_factory.mktemp("chaos")
    reference = Lake(work / "reference" / "lake", work / "reference" / "dagster", work / "landing")
    select = " or ".join(f"key:{t}" for t in CHAIN)
    build_reference(reference, days=1, rows=ROWS_PER_DAY, timeout=300, select=select)
    tables = {"silver": ("orders",)}
    with Series(work, reference, 180, tables) as running:
        yield running


def _assert_recovered(outcome: Outcome) -> None:
    found = (
        f"hit {outcome.hit}, fault code {outcome.fault_code}, readable {outcome.readable}, "
        f"rerun code {outcome.rerun_code}, live {outcome.live}, claimed {outcome.claimed}, "
        f"differing {outcome.differing}; {outcome.note}; log: {outcome.log_tail[-1500:]}"
    )
    assert outcome.recovered, found
    assert (outcome.lost, outcome.duplicated, outcome.live, outcome.claimed) == (0, 0, 0, 0)


def _until_it_hits(series: Series, kind: str, hits: Callable[[Outcome], bool]) -> Outcome:
    """Faults of ``kind`` at seeded moments (seeds 1..6) until one ``hits``; each recovered.

    The fault lands a random moment after the step's start is seen (found by polling): on a
    small table the step may be done by then, and the run rightly ends or dies after it. Such
    a miss is recovered like any other, and the next moment is tried."""
    outcome = None
    for seed in range(1, 7):
        outcome = series.iterate(kind, random.Random(seed))
        _assert_recovered(outcome)
        if hits(outcome):
            return outcome
    raise AssertionError(f"no {kind} landed inside the step in six tries; last: {outcome}")


def test_a_sigkill_inside_the_silver_write_recovers_exactly(series: Series) -> None:
    outcome = _until_it_hits(series, "sigkill", lambda o: o.hit == "silver__orders")
    assert outcome.fault_code == -9, outcome


def test_a_full_disk_under_the_root_mid_write_recovers_once_space_is_freed(
    series: Series, tmp_path: Path
) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs for the full disk needs root")
    try:
        SmallDisk(tmp_path / "probe", 1).unmount()
    except subprocess.CalledProcessError:
        pytest.skip("mount refused (no CAP_SYS_ADMIN): no tmpfs for the full disk")
    _until_it_hits(series, "disk-full", lambda o: o.fault_code != 0 or o.hit == "finished first")


def test_the_postgres_fault_points_every_production_storage_at_its_server() -> None:
    """The PostgreSQL restart runs the production instance file against the chaos server: each
    storage naming a database (run, event log, schedules) must point there, none elsewhere."""

    server = SimpleNamespace(
        env={
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": "6543",
            "DAGSTER_PG_DB": "dagster",
            "DAGSTER_PG_USER": "dagster",
            "DAGSTER_PG_PASSWORD": "chaos-pw",
        }
    )

    config = yaml.safe_load(Postgres.instance_yaml(server))  # type: ignore[arg-type]
    pointed = {
        name: part["config"]["postgres_db"]["port"]
        for name, part in config.items()
        if isinstance(part, dict) and "postgres_db" in (part.get("config") or {})
    }
    assert pointed == {"run_storage": 6543, "event_log_storage": 6543, "schedule_storage": 6543}
    assert "run_launcher" not in config
