"""Scratch folders left by killed processes are swept; live or recent ones are never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from lakehouse.gold.dbt_parse_cache import scratch_target
from lakehouse.lake.scratch import STALE_AFTER, spool_folder, sweep_stale_scratch


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _folder(parent: Path, name: str, age: float) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / "rows.parquet").write_bytes(b"rows")
    when = time.time() - age
    os.utime(folder, (when, when))
    return folder


def test_only_old_folders_of_dead_processes_are_swept(tmp_path: Path) -> None:
    dead, old = _dead_pid(), STALE_AFTER + 60
    swept = [
        _folder(tmp_path, f"lakehouse-spool-{dead}-orders-abc", old),
        _folder(tmp_path, f"lakehouse-duckdb-{dead}-platform", old),
        _folder(tmp_path, f"lakehouse-dbt-{dead}-warm-up-abc", old),
    ]
    kept = [
        _folder(tmp_path, f"lakehouse-spool-{os.getppid()}-orders-abc", old),  # alive
        _folder(tmp_path, f"lakehouse-spool-{dead}-web_events-abc", 5),  # changed just now
        _folder(tmp_path, f"lakehouse-spool-{os.getpid()}-orders-abc", old),  # this process
        _folder(tmp_path, "lakehouse-spool-orders-abc", old),  # no process id: not ours
        _folder(tmp_path, f"someone-else-{dead}", old),
    ]
    assert sorted(sweep_stale_scratch(tmp_path)) == sorted(swept)
    assert [f.exists() for f in swept] == [False, False, False]
    assert all(f.exists() for f in kept)


def test_a_spool_folder_names_its_process_and_is_removed_after_use() -> None:
    with spool_folder("orders") as folder:
        assert folder.is_dir()
        assert folder.name.startswith(f"lakehouse-spool-{os.getpid()}-orders-")
    assert not folder.exists()


def test_a_dbt_scratch_target_names_its_process_and_is_removed_after_use() -> None:
    with scratch_target("warm-up") as folder:
        assert folder.name.startswith(f"lakehouse-dbt-{os.getpid()}-warm-up-")
    assert not folder.exists()
