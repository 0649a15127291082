"""The dev instance's event log keeps its SQLite databases open and is still a shared log.

Every test opens the instance from ``infra/dagster/dagster.dev.yaml`` as ``make run`` does, and
writes events from a second process (a run worker, the daemon, the UI are separate processes):
what one process commits, another instance reads at once, a process killed without closing
anything loses no committed event, and the UI's live log (``watch``) sees events as they land.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.operations.event_log_storage import (
    LakehouseInstance,
    PooledSqliteEventLogStorage,
)

RUN_SUCCESS = dg.DagsterEventType.RUN_SUCCESS
PROJECT = Path(__file__).resolve().parents[3]
WRITER = textwrap.dedent(
    """
    import os, sys
    import dagster as dg

    @dg.asset
    def counted() -> int:
        return 1

    instance = dg.DagsterInstance.from_config(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        result = dg.materialize([counted], instance=instance)
        assert result.success
        print(result.run_id, flush=True)
    if sys.argv[3] == "killed":
        os._exit(0)  # as a killed run worker ends: no dispose, no connection closed
    """
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shutil.copy(PROJECT / "infra" / "dagster" / "dagster.dev.yaml", tmp_path / "dagster.yaml")
    return tmp_path


def _write_runs(home: Path, runs: int, ending: str = "killed") -> list[str]:
    """Materialise an asset ``runs`` times in another process that ends ``killed`` (no
    cleanup) or ``exits`` normally."""
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(home), str(runs), ending],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_the_dev_instance_uses_the_pooled_event_log_in_its_folder(home: Path) -> None:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance, LakehouseInstance)
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        assert Path(storage._base_dir) == home / "history" / "runs"
        with storage.index_connection() as connection:
            level = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        assert level == 1, "commits should not fully sync (NORMAL = 1)"


def test_events_committed_by_a_killed_process_are_read_by_an_open_instance(home: Path) -> None:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # this instance holds open connections before and while the other process writes
        assert instance.get_runs() == []
        run_ids = _write_runs(home, runs=3)
        assert len(run_ids) == 3
        for run_id in run_ids:
            run = instance.get_run_by_id(run_id)
            assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
            types = {r.dagster_event_type for r in instance.all_logs(run_id)}
            assert {dg.DagsterEventType.ASSET_MATERIALIZATION, RUN_SUCCESS} <= types
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        assert latest is not None and latest.run_id == run_ids[-1]
        # no database was left without its write-ahead log checkpointed into reach
        for database in (home / "history" / "runs").glob("*.db"):
            with sqlite3.connect(database) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_live_log_watch_sees_events_of_another_process(home: Path) -> None:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_ids = _write_runs(home, runs=1)
        seen: list[dg.DagsterEventType] = []
        finished = threading.Event()

        def received(entry: dg.EventLogEntry, _cursor: str) -> None:
            if entry.dagster_event_type is not None:
                seen.append(entry.dagster_event_type)
            if entry.dagster_event_type == RUN_SUCCESS:
                finished.set()

        instance.event_log_storage.watch(run_ids[0], None, received)
        try:
            assert finished.wait(timeout=30), f"the watch saw only {seen}"
        finally:
            instance.event_log_storage.end_watch(run_ids[0], received)
        assert dg.DagsterEventType.ASSET_MATERIALIZATION in seen


def test_wipe_closes_the_databases_it_deletes(home: Path) -> None:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run_id = _write_runs(home, runs=1)[0]
        assert instance.all_logs(run_id)  # opens the run's database
        instance.event_log_storage.wipe()
        assert not (home / "history" / "runs" / f"{run_id}.db").exists()
        assert instance.all_logs(run_id) == []


def test_a_process_that_exits_leaves_no_write_ahead_log_behind(home: Path) -> None:
    _write_runs(home, runs=1, ending="exits")
    runs = home / "history" / "runs"
    assert list(runs.glob("*.db")), "the run wrote no database"
    assert sorted(p.name for p in runs.glob("*.db-*")) == []


def test_a_table_found_once_is_not_looked_up_again(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster asks whether the check table exists before every check event it stores."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    asked: list[str] = []
    original = SqliteEventLogStorage.has_table

    def counted(storage: SqliteEventLogStorage, name: str) -> bool:
        asked.append(name)
        return original(storage, name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counted)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert storage.has_table("asset_check_executions")
        assert storage.supports_asset_checks
        assert not storage.has_table("no_such_table")
        assert not storage.has_table("no_such_table")
        assert asked == ["asset_check_executions", "no_such_table", "no_such_table"]
        storage.wipe()
        assert storage.has_table("asset_check_executions")
        assert asked[-1] == "asset_check_executions", "wipe forgets what it found"
