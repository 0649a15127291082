"""A table's commit history, read from its Delta log: who changed what, when and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lakehouse.lake import DeltaStore
from lakehouse.lake.chunked import ADDED_ROWS, PREDICATE

REASON_KEY = "lakehouse.reason"
USER_KEY = "lakehouse.user"
"""Commit metadata keys the platform writes (``CommitProperties.custom_metadata``)."""

_STANDARD_KEYS = frozenset(
    {
        "timestamp",
        "operation",
        "operationParameters",
        "operationMetrics",
        "readVersion",
        "version",
        "engineInfo",
        "clientVersion",
        "isolationLevel",
        "isBlindAppend",
        "txnId",
        "inCommitTimestamp",
    }
)
# delta-rs and Spark name the same row counts differently per operation; first match wins.
_ROWS_ADDED = (
    "num_added_rows",
    "num_target_rows_inserted",
    "numTargetRowsInserted",
    "numOutputRows",
)
_ROWS_UPDATED = (
    "num_updated_rows",
    "num_target_rows_updated",
    "numUpdatedRows",
    "numTargetRowsUpdated",
)
_ROWS_REMOVED = (
    "num_deleted_rows",
    "num_target_rows_deleted",
    "numDeletedRows",
    "numTargetRowsDeleted",
)
_ROWS_OUTPUT = ("num_output_rows", "numOutputRows")


@dataclass(frozen=True)
class HistoryEntry:
    """One commit of a Delta table."""

    version: int
    timestamp: datetime
    operation: str
    parameters: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    user_metadata: dict[str, Any] = field(default_factory=dict)
    rows_added: int | None = None
    rows_updated: int | None = None
    rows_removed: int | None = None
    rows_output: int | None = None

    @property
    def reason(self) -> str | None:
        """Why the commit was made, when the writer said so (rollbacks always do)."""
        value = self.user_metadata.get(REASON_KEY)
        return None if value is None else str(value)

    @property
    def user(self) -> str | None:
        """Who made the commit, when the writer recorded it."""
        value = self.user_metadata.get(USER_KEY) or self.user_metadata.get("userName")
        return None if value is None else str(value)


def _first_int(metrics: Mapping[str, Any], names: Sequence[str]) -> int | None:
    for name in names:
        if metrics.get(name) is not None:
            try:
                return int(metrics[name])
            except (TypeError, ValueError):
                return None
    return None


def commit_timestamp(millis: int | float) -> datetime:
    """A Delta commit timestamp (milliseconds since the epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def parse_commit(commit: Mapping[str, Any]) -> HistoryEntry:
    """Turn one ``DeltaTable.history()`` record into a ``HistoryEntry``."""
    metrics = dict(commit.get("operationMetrics") or {})
    user_metadata = {k: v for k, v in commit.items() if k not in _STANDARD_KEYS}
    operation = str(commit.get("operation", ""))
    # An upsert is committed as a plain WRITE (see DeltaStore.merge); its row counts are in the
    # commit's lakehouse.* metadata.
    upsert = user_metadata.get("lakehouse.operation") == "MERGE"
    if upsert:
        operation = "MERGE"
        metrics = {k.removeprefix("lakehouse."): v for k, v in user_metadata.items()} | metrics
    parameters = dict(commit.get("operationParameters") or {})
    if PREDICATE in user_metadata:  # a streamed write committed in chunks (lake.chunked)
        parameters.setdefault("predicate", user_metadata[PREDICATE])
        metrics.setdefault("num_added_rows", user_metadata.get(ADDED_ROWS))
    return HistoryEntry(
        version=int(commit["version"]),
        timestamp=commit_timestamp(commit.get("timestamp") or 0),
        operation=operation,
        parameters=parameters,
        metrics=metrics,
        user_metadata=user_metadata,
        rows_added=_first_int(metrics, ("rows_inserted",) if upsert else _ROWS_ADDED),
        rows_updated=_first_int(metrics, (*_ROWS_UPDATED, "rows_updated")),
        rows_removed=_first_int(metrics, ("rows_deleted",) if upsert else _ROWS_REMOVED),
        rows_output=_first_int(metrics, _ROWS_OUTPUT if not upsert else ("num_added_rows",)),
    )


def table_history(
    store: DeltaStore, key: Sequence[str] | str, limit: int | None = None
) -> list[HistoryEntry]:
    """The commits of the table for ``key``, newest first (at most ``limit``).

    Raises ``TableNotFoundError`` if the table does not exist, ``ValueError`` for a bad limit.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    return [parse_commit(commit) for commit in store.history(key, limit)]


def format_history(entries: Sequence[HistoryEntry]) -> str:
    """The entries as an aligned text table (newest first), for the terminal."""
    header = ("version", "timestamp (UTC)", "operation", "added", "updated", "removed", "user")
    rows: list[tuple[str, ...]] = [header]
    reasons = []
    for e in entries:
        counts = (e.rows_added, e.rows_updated, e.rows_removed)
        rows.append(
            (
                str(e.version),
                f"{e.timestamp:%Y-%m-%d %H:%M:%S}",
                e.operation
                + (f" to v{e.parameters['version']}" if "version" in e.parameters else ""),
                *("" if n is None else str(n) for n in counts),
                e.user or "",
            )
        )
        reasons.append(e.reason or "")
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    numeric = {0, 3, 4, 5}
    lines = []
    for row, reason in zip(rows, ["reason", *reasons], strict=True):
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join([*cells, reason]).rstrip())
    return "\n".join(lines)
