"""What a write did: version, rows, files and bytes, read back from the Delta commit itself."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
from deltalake import DeltaTable
from deltalake.fs import DeltaStorageHandler


@dataclass(frozen=True)
class WriteResult:
    """Outcome of one write to one Delta table (one commit, or none for a no-op merge)."""

    uri: str
    operation: str  # "append" | "replace_partition(s)" | "replace_range" | "merge" | "overwrite"
    version: int
    rows: int  # rows in the written input table
    files_added: int
    bytes_added: int
    rows_inserted: int | None = None
    rows_updated: int | None = None
    rows_deleted: int | None = None

    def as_metadata(self) -> dict[str, str | int]:
        """Plain JSON-able metadata for a Dagster materialisation."""
        metadata: dict[str, str | int] = {
            "table_uri": self.uri,
            "operation": self.operation,
            "delta_version": self.version,
            "rows": self.rows,
            "files_added": self.files_added,
            "bytes_added": self.bytes_added,
        }
        for name in ("rows_inserted", "rows_updated", "rows_deleted"):
            value = getattr(self, name)
            if value is not None:
                metadata[name] = value
        return metadata


@dataclass(frozen=True)
class CommitStats:
    """The parts of a commit file (``_delta_log/<version>.json``) a WriteResult needs."""

    version: int
    operation: str
    metrics: dict[str, Any] = field(default_factory=dict)
    files_added: int = 0
    bytes_added: int = 0
    files_removed: int = 0


# delta-rs 1.6.6 names the same fact differently per operation (WRITE vs MERGE).
_FILES_ADDED_KEYS = ("num_added_files", "num_target_files_added", "numFilesAdded", "numFiles")


def commit_actions(
    uri: str, version: int, storage_options: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    """The actions of one commit of the table at ``uri``: its ``_delta_log`` JSON lines."""
    handler = DeltaStorageHandler(uri, options=dict(storage_options or {}) or None)
    path = f"_delta_log/{version:020d}.json"
    with pafs.PyFileSystem(handler).open_input_stream(path) as stream:
        lines = stream.read().decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_commit(uri: str, version: int, storage_options: Mapping[str, str] | None) -> CommitStats:
    """Read one commit of the table at ``uri`` and sum its add actions.

    operationMetrics in delta-rs 1.6.6 carry file and row counts but no byte counts, so bytes
    come from the ``size`` of each add action. Reading the commit of a known version (rather
    than ``history(1)``) stays correct when another writer commits right after us.
    """
    info: dict[str, Any] = {}
    adds: list[dict[str, Any]] = []
    removed = 0
    for action in commit_actions(uri, version, storage_options):
        if "commitInfo" in action:
            info = action["commitInfo"]
        elif "add" in action:
            adds.append(action["add"])
        elif "remove" in action:
            removed += 1
    metrics = dict(info.get("operationMetrics") or {})
    files_added = next((int(metrics[k]) for k in _FILES_ADDED_KEYS if k in metrics), len(adds))
    return CommitStats(
        version=version,
        operation=str(info.get("operation", "")),
        metrics=metrics,
        files_added=files_added,
        bytes_added=sum(int(add.get("size") or 0) for add in adds),
        files_removed=removed,
    )


def no_commit(version: int) -> CommitStats:
    """Stats for a write that delta-rs turned into a no-op (e.g. a merge of zero rows)."""
    return CommitStats(version=version, operation="NONE")


def rows_in_partition(table: DeltaTable, column: str, value: pa.Scalar) -> int | None:
    """Rows currently in one partition, from file statistics (None if stats are missing)."""
    actions = pa.table(table.get_add_actions(flatten=True))
    part = actions.column(f"partition.{column}")
    mask = pc.fill_null(pc.equal(part, value.cast(part.type)), False)
    records = actions.filter(mask).column("num_records")
    if records.null_count:
        return None
    return int(pc.sum(records).as_py() or 0)


def rows_in_partitions(table: DeltaTable, column: str, values: Sequence[pa.Scalar]) -> int | None:
    """Rows currently in the partitions ``column in values`` (None if stats are missing)."""
    counted = [rows_in_partition(table, column, v) for v in values]
    return None if None in counted else sum(c or 0 for c in counted)


def describe_write(
    uri: str,
    table: DeltaTable | None,
    before: int | None,
    operation: str,
    rows: int,
    counts: Mapping[str, int | None],
    storage_options: Mapping[str, str] | None,
) -> WriteResult:
    """The ``WriteResult`` of a write of ``rows`` to ``uri`` that found the table at ``before``.

    A table created by the write is read back (version 0 unless another writer raced).
    """
    options = dict(storage_options or {}) or None
    if table is None:
        table = DeltaTable(uri, storage_options=options)
    version = table.version()
    stats: CommitStats = (
        no_commit(version) if version == before else read_commit(uri, version, options)
    )
    return WriteResult(
        uri=uri,
        operation=operation,
        version=version,
        rows=rows,
        files_added=stats.files_added,
        bytes_added=stats.bytes_added,
        **counts,
    )
