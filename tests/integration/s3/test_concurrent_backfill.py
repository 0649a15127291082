"""A backfill run as two concurrent runs on S3 gives exactly the tables of a sequential run.

Production fans a backfill out into concurrent runs, one ECS task each, all on one Dagster
instance. Here two processes (``backfill_process.py``), released together, run the daily job
for a day each (days 1 and 2) against one lake in one bucket, sharing one instance with
production's per-table pools (``delta_<layer>_<table>``, ``dbt_gold``: one writer per table at
a time, in either run's order). The same days run in order into a second bucket, from a
landing zone generated with the same seed and PII key, and every Delta table of the two lakes
(bronze, silver with its ``*_history``, quarantine, the daily gold marts) must hold the same
rows, ingestion times aside.

What shows the runs raced: their runs overlap in time, and every bronze table holds one commit
of each runner's. Because the pools serialise each table's writers, the two
never race for one Delta version on S3 (the server refuses no conditional PUT), so this test
proves the pools plus any-order silver and gold, not the commit protocol alone (that is
``test_concurrent_commits.py``). Without a shared pool, silver is not safe: see
``bench/RESULTS.md``, "Scale-out by partition".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from deltalake import DeltaTable

from lakehouse.operations.history import parse_commit

from .conftest import S3Server
from .lakes import assert_same_tables, land, prod_environment, run_daily_job, use_environment
from .released import run_released_together

RUNNER = Path(__file__).with_name("backfill_process.py")
DEV_INSTANCE = Path(__file__).parents[3] / "infra" / "dagster" / "dagster.dev.yaml"
DAYS = tuple(date(2026, 1, 1) + timedelta(days=n) for n in range(2))
SHARES = ((DAYS[0],), (DAYS[1],))
"""Each concurrent runner's days: either may commit first to any table."""
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _lake(s3: S3Server) -> tuple[str, str, dict[str, str]]:
    """A new bucket's lake root, landing zone (generated) and prod environment."""
    bucket = s3.create_bucket()
    root, landing = f"s3://{bucket}/prod/lake", f"s3://{bucket}/prod/landing"
    environ = prod_environment(root, landing, DAYS[0], s3.env)
    return root, landing, environ


def _run_concurrently(
    environ: Mapping[str, str], shares: Sequence[Sequence[date]], tmp_path: Path, home: Path
) -> list[list[dict]]:
    """One runner process per share of the days, released at once, on instance ``home``;
    each runner's runs."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "AWS_"))}
    arguments = [
        {"days": [d.isoformat() for d in days], "dagster_home": str(home)} for days in shares
    ]
    reports = run_released_together(RUNNER, arguments, tmp_path, {**inherited, **environ})
    return [report["runs"] for report in reports]


def _shared_instance(tmp_path: Path) -> Path:
    """A DAGSTER_HOME with the dev instance (SQLite; the run queue and per-table pools of
    production), its storage created before the runners open it."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(DEV_INSTANCE.read_text())
    with dg.DagsterInstance.from_config(str(home)):
        pass
    return home


def _committed_days(uri: str, options: Mapping[str, str]) -> list[str]:
    """The landing day each commit of a day-partitioned table replaced, in version order."""
    history = DeltaTable(uri, storage_options=dict(options)).history()
    ordered = sorted(history, key=lambda commit: commit["version"])
    return [DAY.findall(parse_commit(c).parameters["predicate"])[0] for c in ordered]


def test_two_concurrent_runs_sharing_the_pools_give_the_tables_of_a_sequential_backfill(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    concurrent_root, concurrent_landing, concurrent = _lake(s3_server)
    sequential_root, sequential_landing, sequential = _lake(s3_server)
    options = dict(use_environment(monkeypatch, concurrent).storage_options)
    land(concurrent_landing, DAYS, options)
    land(sequential_landing, DAYS, options)

    reports = _run_concurrently(concurrent, SHARES, tmp_path, _shared_instance(tmp_path))
    run_daily_job(use_environment(monkeypatch, sequential), DAYS)

    assert [[r["day"] for r in runs] for runs in reports] == [
        [d.isoformat() for d in days] for days in SHARES
    ]
    first, second = reports[0][0], reports[1][0]
    assert max(first["start"], second["start"]) < min(first["end"], second["end"])
    roots = {concurrent_landing: "<landing>", sequential_landing: "<landing>"}
    tables = assert_same_tables(concurrent_root, options, sequential_root, options, roots)
    for name in (n for n in tables if n.startswith("bronze.")):
        days = _committed_days(tables[name], options)
        assert sorted(days) == [d.isoformat() for d in DAYS], name
