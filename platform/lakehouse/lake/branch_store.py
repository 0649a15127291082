"""BranchStore: a branch lakehouse's Delta store, which writes only inside the branch's folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable

from lakehouse.lake.predicates import PartitionValue
from lakehouse.lake.reader import Key, arrow_dataset
from lakehouse.lake.results import WriteResult
from lakehouse.lake.stats import table_stats_columns
from lakehouse.lake.store import DeltaStore
from lakehouse.lake.uris import key_parts

SEED_METADATA = "lakehouse.branch_seed"
"""Commit metadata of a branch table's first commit: ``<base uri>@<version>`` it copies."""


def _plain(uri: str) -> str:
    return uri.removeprefix("file://").rstrip("/")


class BranchWriteError(PermissionError):
    """A write through a branch store aimed outside the branch's folder."""


class BranchStore(DeltaStore):
    """The store of a branch root (``<base>/_branches/<name>``).

    Reads fall back to the base's tables at their pinned versions (``DeltaReader``). The first
    write to a table the base has copies the pinned version into the branch (one commit,
    version 0, marked with ``SEED_METADATA``) so partition and merge writes see the rows
    they keep; tables the branch never writes are never copied. No write leaves the branch.
    """

    def _guard(self, uri: str) -> None:
        if not _plain(uri).startswith(_plain(self.root) + "/"):
            raise BranchWriteError(
                f"branch store at {self.root} refused a write to {uri}: a branch writes only "
                "its own tables; publish to the base with `lakehouse branch promote`"
            )

    def _write(
        self,
        uri: str,
        table: DeltaTable | None,
        data: pa.Table,
        operation: str,
        counts: Mapping[str, int | None] | None = None,
        **write_args: Any,
    ) -> WriteResult:
        self._guard(uri)
        if table is not None:
            self._guard(str(table.table_uri))
        return super()._write(uri, table, data, operation, counts, **write_args)

    def seed(self, key: Key) -> int | None:
        """Copy the pinned base table into the branch if the branch lacks it; its base version."""
        uri = self.uri(key)
        pinned = self.pinned(key)
        if pinned is None or DeltaTable.is_deltatable(uri, self._options()):
            return None
        base_uri, version = pinned
        base = DeltaTable(base_uri, version=version, storage_options=self._options())
        rows = arrow_dataset(base).to_table()
        partitions = base.metadata().partition_columns or None
        marker = {SEED_METADATA: f"{base_uri}@{version}"}
        stats = table_stats_columns(base)  # a copy of raw PII keeps its base's restriction
        DeltaStore.overwrite(self, key, rows, partitions, marker, stats)
        return version

    def append(self, key: Key, data: pa.Table, *args: Any, **kwargs: Any) -> WriteResult:
        self.seed(key)
        return super().append(key, data, *args, **kwargs)

    def overwrite(
        self,
        key: Key,
        data: pa.Table,
        partition_by: Sequence[str] | None = None,
        commit_metadata: Mapping[str, str] | None = None,
        stats_columns: Sequence[str] | None = None,
    ) -> WriteResult:
        self.seed(key)
        return super().overwrite(key, data, partition_by, commit_metadata, stats_columns)

    def replace_partition(
        self,
        key: Key,
        data: pa.Table,
        column: str,
        value: PartitionValue,
        stats_columns: Sequence[str] | None = None,
    ) -> WriteResult:
        self.seed(key)
        return super().replace_partition(key, data, column, value, stats_columns)

    def replace_partitions(
        self,
        key: Key,
        data: pa.Table,
        column: str,
        values: Sequence[PartitionValue],
        stats_columns: Sequence[str] | None = None,
        commit_metadata: Mapping[str, str] | None = None,
        before_commit: Callable[[], object] | None = None,
    ) -> WriteResult:
        self.seed(key)
        return super().replace_partitions(
            key, data, column, values, stats_columns, commit_metadata, before_commit
        )

    def link_partitions(self, key: Key, *args: Any, **kwargs: Any) -> WriteResult | None:
        self.seed(key)
        self._guard(self.uri(key))
        return super().link_partitions(key, *args, **kwargs)

    def replace_range(
        self, key: Key, data: pa.Table, column: str, low: PartitionValue, high: PartitionValue
    ) -> WriteResult:
        self.seed(key)
        return super().replace_range(key, data, column, low, high)

    def merge(self, key: Key, data: pa.Table, *args: Any, **kwargs: Any) -> WriteResult:
        self.seed(key)
        return super().merge(key, data, *args, **kwargs)


def seeded_version(table: DeltaTable) -> int | None:
    """The branch table's version that equals its pinned base (0 when seeded), else None."""
    first = table.history()[-1]
    return int(first["version"]) if SEED_METADATA in first else None


def table_name(key: Key) -> str:
    """``silver/orders`` for a key."""
    return "/".join(key_parts(key))
