"""Several processes commit to one Delta table on S3 at once: no commit is lost or doubled.

Each writer is its own process (``writer_process.py``), started together, so their commits race
for the same versions on a real S3 endpoint; the losers are refused by the conditional write
and retried (by delta-rs, then by the store's backoff) until every commit lands once.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable

from .conftest import S3Server
from .released import run_released_together

WRITER = Path(__file__).with_name("writer_process.py")
KEY = "bronze/concurrent"
ROWS = 4


def _run_writers(
    s3: S3Server, root: str, tmp_path: Path, mode: str, workers: int, commits: int
) -> list[dict]:
    """Start ``workers`` writer processes, release them at once, return their reports."""
    options = {**s3.env, "AWS_CONDITIONAL_PUT": "etag"}
    arguments = [
        {
            "root": root,
            "storage_options": options,
            "worker": worker,
            "commits": commits,
            "rows": ROWS,
            "mode": mode,
        }
        for worker in range(workers)
    ]
    return run_released_together(WRITER, arguments, tmp_path, timeout=300)


def _history_is_one_commit_per_version(table: DeltaTable, commits: int) -> list[dict]:
    history = sorted(table.history(), key=lambda h: h["version"])
    assert [h["version"] for h in history] == list(range(commits))
    return history


def test_concurrent_appends_from_six_processes_lose_no_commit(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    workers, commits = 6, 5
    root = f"s3://{bucket}/prod/lake"
    refused_before = s3_server.refused_commits()

    reports = _run_writers(s3_server, root, tmp_path, "append", workers, commits)

    table = DeltaTable(f"{root}/{KEY}", storage_options=s3_server.env)
    data = table.to_pyarrow_table()
    pairs = set(zip(data["worker"].to_pylist(), data["commit"].to_pylist(), strict=True))
    assert data.num_rows == workers * commits * ROWS
    assert pairs == {(w, c) for w in range(workers) for c in range(commits)}
    assert table.version() == workers * commits - 1
    history = _history_is_one_commit_per_version(table, workers * commits)
    assert sum(int(h["operationMetrics"]["num_added_rows"]) for h in history) == data.num_rows
    assert all(len(r["versions"]) == commits for r in reports)
    assert s3_server.refused_commits() > refused_before, "the writers never raced"


def test_concurrent_partition_replacements_keep_each_writers_last_commit(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    workers, commits = 4, 3
    root = f"s3://{bucket}/prod/lake"

    _run_writers(s3_server, root, tmp_path, "replace_partition", workers, commits)

    table = DeltaTable(f"{root}/{KEY}", storage_options=s3_server.env)
    data = table.to_pyarrow_table().sort_by([("worker", "ascending"), ("row", "ascending")])
    assert table.metadata().partition_columns == ["worker"]
    assert data.select(["worker", "commit"]) == pa.table(
        {
            "worker": pa.array([w for w in range(workers) for _ in range(ROWS)], pa.int64()),
            "commit": pa.array([commits - 1] * workers * ROWS, pa.int64()),
        }
    )
    _history_is_one_commit_per_version(table, workers * commits)
