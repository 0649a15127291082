"""The staging logs that killed chunked writers left are swept; live writers' and the files
a landed commit references are kept."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from lakehouse.lake.staging import STALE_AFTER, staging_folder, sweep_dead_staging


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _staged(table: Path, name: str) -> Path:
    (table / name / "_delta_log").mkdir(parents=True)
    (table / name / "part-0.parquet").write_bytes(b"rows")
    return table / name


def test_a_dead_writers_staging_log_goes_and_its_files_stay(tmp_path: Path) -> None:
    host = socket.gethostname()
    dead = _staged(tmp_path, f"streamed-{host}-{_dead_pid()}-aa")
    live = _staged(tmp_path, staging_folder())  # this process: a write in flight
    fresh_elsewhere = _staged(tmp_path, "streamed-otherhost-1-bb")
    old_elsewhere = _staged(tmp_path, "streamed-cc")
    stale = time.time() - STALE_AFTER - 60
    os.utime(old_elsewhere / "_delta_log", (stale, stale))

    removed = sweep_dead_staging(str(tmp_path), None)

    assert sorted(removed) == sorted([dead.name, old_elsewhere.name])
    assert not (dead / "_delta_log").exists() and (dead / "part-0.parquet").exists()
    assert not (old_elsewhere / "_delta_log").exists()
    assert (live / "_delta_log").exists() and (fresh_elsewhere / "_delta_log").exists()
    assert live.name.startswith(f"streamed-{host}-{os.getpid()}-")
