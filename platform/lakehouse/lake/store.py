"""DeltaStore: the only way the platform writes and reads its Delta tables.

Writes are append, whole-table overwrite, replace-one-partition and merge; each is one Delta
commit and returns a ``WriteResult`` for materialisation metadata. Partition predicates are
built from typed values only (see ``predicates``), and incoming data is checked before the
write, so a refused write leaves the table as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError as DeltaTableNotFoundError

from lakehouse.lake.checks import (
    check_columns_present,
    check_in_partition,
    check_merge_input,
    check_partitioned_by,
    check_partitioning,
    extra_columns,
)
from lakehouse.lake.predicates import (
    PartitionValue,
    partition_predicate,
    partition_scalar,
    quote_identifier,
)
from lakehouse.lake.results import (
    CommitStats,
    WriteResult,
    no_commit,
    read_commit,
    rows_in_partition,
)
from lakehouse.lake.retry import DEFAULT_POLICY, RetryPolicy, retry_commits
from lakehouse.lake.uris import key_parts, table_uri

Key = Sequence[str] | str


class TableNotFoundError(LookupError):
    """No Delta table exists at the URI of an asset key."""


def _schema(table: DeltaTable) -> pa.Schema:
    return pa.schema(table.schema().to_arrow())


class DeltaStore:
    """Delta tables under one lakehouse root; ``storage_options`` go to every deltalake call.

    Writes that lose a commit race are retried with backoff (``lake.retry``).
    """

    retry_policy: RetryPolicy = DEFAULT_POLICY

    def __init__(self, root: str, storage_options: Mapping[str, str] | None = None) -> None:
        table_uri(root, ["probe"])  # validates the root early
        self.root = root
        self.storage_options: dict[str, str] = dict(storage_options or {})

    def _options(self) -> dict[str, str] | None:
        # A fresh copy each call: deltalake mutates the dict it is given.
        return dict(self.storage_options) or None

    def uri(self, key: Key) -> str:
        """URI of the table for ``key`` (``["silver", "orders"]`` -> ``<root>/silver/orders``)."""
        return table_uri(self.root, key)

    def exists(self, key: Key) -> bool:
        """True if a Delta table exists for ``key``."""
        return DeltaTable.is_deltatable(self.uri(key), self._options())

    def _open(self, uri: str) -> DeltaTable | None:
        try:
            return DeltaTable(uri, storage_options=self._options())
        except DeltaTableNotFoundError:
            return None

    def table(self, key: Key) -> DeltaTable:
        """Open the table for ``key``; raises ``TableNotFoundError`` if it does not exist."""
        uri = self.uri(key)
        table = self._open(uri)
        if table is None:
            raise TableNotFoundError(
                f"no Delta table at {uri} (asset key {'/'.join(key_parts(key))}): materialise that "
                "asset first, or check LAKEHOUSE_ROOT and the environment"
            )
        return table

    def _write(
        self,
        uri: str,
        table: DeltaTable | None,
        data: pa.Table,
        operation: str,
        counts: Mapping[str, int | None] | None = None,
        **write_args: Any,
    ) -> WriteResult:
        """Write through the open table if there is one (so its version is ours), else create."""
        before = table.version() if table is not None else None
        write_deltalake(
            table if table is not None else uri, data, storage_options=self._options(), **write_args
        )
        return self._result(uri, table, before, operation, data, counts or {})

    def _result(
        self,
        uri: str,
        table: DeltaTable | None,
        before: int | None,
        operation: str,
        data: pa.Table,
        counts: Mapping[str, int | None],
    ) -> WriteResult:
        # A table created by this write is read back (version 0 unless another writer raced).
        if table is None:
            table = DeltaTable(uri, storage_options=self._options())
        version = table.version()
        stats: CommitStats = (
            no_commit(version) if version == before else read_commit(uri, version, self._options())
        )
        return WriteResult(
            uri=uri,
            operation=operation,
            version=version,
            rows=data.num_rows,
            files_added=stats.files_added,
            bytes_added=stats.bytes_added,
            **counts,
        )

    @retry_commits
    def append(
        self,
        key: Key,
        data: pa.Table,
        partition_by: Sequence[str] | None = None,
        schema_mode_merge: bool = True,
    ) -> WriteResult:
        """Append ``data`` (creating the table, partitioned by ``partition_by``, if needed).

        With ``schema_mode_merge`` new columns are added to the table and missing ones read as
        null; without it any column difference raises deltalake's ``SchemaMismatchError``.
        Raises ``ValueError`` if ``partition_by`` differs from an existing table's partitioning.
        """
        uri = self.uri(key)
        table = self._open(uri)
        if table is not None and partition_by:
            check_partitioning(uri, table.metadata().partition_columns, partition_by)
        return self._write(
            uri,
            table,
            data,
            "append",
            mode="append",
            partition_by=list(partition_by) if partition_by and table is None else None,
            schema_mode="merge" if schema_mode_merge else None,
        )

    @retry_commits
    def overwrite(
        self, key: Key, data: pa.Table, partition_by: Sequence[str] | None = None
    ) -> WriteResult:
        """Replace the whole table, schema included, with ``data`` (small marts, dimensions).

        The table keeps its partition columns unless ``partition_by`` is given.
        """
        uri = self.uri(key)
        table = self._open(uri)
        if partition_by is None and table is not None:
            partition_by = table.metadata().partition_columns
        return self._write(
            uri,
            table,
            data,
            "overwrite",
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(partition_by) if partition_by else None,
        )

    @retry_commits
    def replace_partition(
        self, key: Key, data: pa.Table, column: str, value: PartitionValue
    ) -> WriteResult:
        """Atomically replace the partition ``column == value`` with ``data`` (one commit).

        Creates the table partitioned by ``column`` on first write. Empty ``data`` deletes the
        partition. Other partitions are never touched. Raises, before writing anything:
        ``PartitionPredicateError`` if ``value`` does not match the column's type;
        ``PartitionMismatchError`` if a row of ``data`` lies outside the partition or the table
        is not partitioned by ``column``; ``MissingColumnsError`` if ``data`` lacks a column.
        New columns in ``data`` are added to the table (schema merge).
        """
        uri = self.uri(key)
        table = self._open(uri)
        schema = _schema(table) if table is not None else data.schema
        predicate = partition_predicate(schema, column, value, table=uri)
        scalar = partition_scalar(data.schema, column, value, table=f"the data for {uri}")
        if table is not None:
            check_partitioned_by(uri, table.metadata().partition_columns, column)
        check_in_partition(data, column, scalar, uri)
        rows_deleted = 0
        if table is not None:
            check_columns_present(data, schema, uri)
            rows_deleted = rows_in_partition(table, column, scalar)
        return self._write(
            uri,
            table,
            data,
            "replace_partition",
            {"rows_inserted": data.num_rows, "rows_deleted": rows_deleted},
            mode="overwrite",
            predicate=predicate,
            partition_by=[column] if table is None else None,
            schema_mode="merge" if table is not None and extra_columns(data, schema) else None,
        )

    @retry_commits
    def merge(
        self,
        key: Key,
        data: pa.Table,
        keys: Sequence[str],
        newer_column: str | None = None,
        partition_by: Sequence[str] | None = None,
    ) -> WriteResult:
        """Upsert ``data`` on ``keys``: update matching rows, insert new ones (one commit).

        With ``newer_column`` a matching row is only updated when the incoming value is ``>=``
        the stored one (or the stored one is null), so a late, older row never wins. New
        columns in ``data`` are added to the table. The table is created (partitioned by
        ``partition_by``) if missing. Raises ``MergeKeyError`` if keys or ``newer_column`` are
        missing, null or (keys) duplicated in ``data``, ``MissingColumnsError`` if ``data``
        lacks a table column.
        """
        uri = self.uri(key)
        check_merge_input(data, keys, newer_column, uri)
        table = self._open(uri)
        if table is None:
            counts = {"rows_inserted": data.num_rows, "rows_updated": 0}
            partitions = list(partition_by) if partition_by else None
            return self._write(uri, None, data, "merge", counts, partition_by=partitions)
        check_columns_present(data, _schema(table), uri)
        before = table.version()
        on = " AND ".join(f"t.{quote_identifier(k)} = s.{quote_identifier(k)}" for k in keys)
        newer = None
        if newer_column:
            col = quote_identifier(newer_column)
            newer = f"s.{col} >= t.{col} OR t.{col} IS NULL"
        # merge_schema=True: without it delta-rs 1.6.6 silently drops source-only columns.
        metrics: dict[str, Any] = (
            table.merge(data, on, source_alias="s", target_alias="t", merge_schema=True)
            .when_matched_update_all(predicate=newer)
            .when_not_matched_insert_all()
            .execute()
        )
        counts = {
            f"rows_{name}": metrics.get(f"num_target_rows_{name}")
            for name in ("inserted", "updated", "deleted")
        }
        return self._result(uri, table, before, "merge", data, counts)

    def dataset(self, key: Key) -> pads.Dataset:
        """The table as a pyarrow dataset (partition pruning and filter pushdown)."""
        return self.table(key).to_pyarrow_dataset()

    def read(
        self,
        key: Key,
        *,
        filter_column: str | None = None,
        filter_value: PartitionValue | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Read the table as Arrow, optionally only rows with ``filter_column == filter_value``.

        The filter value is type-checked like a partition value; on a partition column only
        the matching partition's files are read. Raises ``TableNotFoundError``,
        ``PartitionPredicateError`` or ``ValueError`` (unknown column).
        """
        uri = self.uri(key)
        dataset = self.dataset(key)
        if columns is not None:
            unknown = [c for c in columns if c not in dataset.schema.names]
            if unknown:
                raise ValueError(f"columns {unknown} not in {uri} ({dataset.schema.names})")
        if filter_column is None:
            if filter_value is not None:
                raise ValueError("filter_value given without filter_column")
            return dataset.to_table(columns=list(columns) if columns is not None else None)
        scalar = partition_scalar(dataset.schema, filter_column, filter_value, table=uri)
        return dataset.to_table(
            columns=list(columns) if columns is not None else None,
            filter=pc.field(filter_column) == scalar,
        )

    def history(self, key: Key, limit: int | None = None) -> list[dict[str, Any]]:
        """Commit history, newest first (operation, parameters, metrics, version, timestamp)."""
        return self.table(key).history(limit)


def register_delta(
    con: duckdb.DuckDBPyConnection, name: str, table: DeltaTable | pads.Dataset
) -> None:
    """Register a Delta table (or its pyarrow dataset) as the DuckDB view ``name``.

    DuckDB's delta extension cannot be installed here, so DuckDB scans the Arrow dataset;
    filters in SQL are pushed down to it.
    """
    dataset = table.to_pyarrow_dataset() if isinstance(table, DeltaTable) else table
    con.register(name, dataset)
