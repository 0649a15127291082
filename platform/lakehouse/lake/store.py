"""DeltaStore: the only way the platform writes and reads its Delta tables.

Writes are append, whole-table overwrite, replace-one-partition and merge; each is one Delta
commit and returns a ``WriteResult`` for materialisation metadata. Partition predicates are
built from typed values only (see ``predicates``), and incoming data is checked before the
write, so a refused write leaves the table as it was. Every write is committed by
``commits.TableCommits._write``, which keeps a table's min/max statistics to its restriction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import pyarrow as pa
from deltalake import CommitProperties

from lakehouse.lake.checks import (
    check_columns_present,
    check_in_partition,
    check_in_partitions,
    check_in_range,
    check_merge_input,
    check_partitioned_by,
    check_partitioning,
    extra_columns,
)
from lakehouse.lake.commits import TableCommits, table_schema_of
from lakehouse.lake.predicates import (
    PartitionValue,
    partition_predicate,
    partition_scalar,
    range_predicate,
)
from lakehouse.lake.reader import Key, arrow_dataset
from lakehouse.lake.results import (
    WriteResult,
    describe_write,
    rows_in_partition,
    rows_in_partitions,
)
from lakehouse.lake.retry import DEFAULT_POLICY, RetryPolicy, retry_commits
from lakehouse.lake.streams import BatchStream
from lakehouse.lake.upsert import upserted


class DeltaStore(TableCommits):
    """Delta tables under one lakehouse root, read and written; the only Delta writer.

    Writes that lose a commit race are retried with backoff (``lake.retry``).
    """

    retry_policy: RetryPolicy = DEFAULT_POLICY

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
        self,
        key: Key,
        data: pa.Table | BatchStream,
        partition_by: Sequence[str] | None = None,
        commit_metadata: Mapping[str, str] | None = None,
        stats_columns: Sequence[str] | None = None,
    ) -> WriteResult:
        """Replace the whole table, schema included, with ``data`` (small marts, dimensions).

        The table keeps its partition columns unless ``partition_by`` is given, its statistics
        columns unless ``stats_columns`` is; ``commit_metadata`` is recorded in the commit.
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
            stats_columns=stats_columns,
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(partition_by) if partition_by else None,
            commit_properties=CommitProperties(custom_metadata=dict(commit_metadata))
            if commit_metadata
            else None,
        )

    @retry_commits
    def replace_partition(
        self,
        key: Key,
        data: pa.Table | BatchStream,
        column: str,
        value: PartitionValue,
        stats_columns: Sequence[str] | None = None,
    ) -> WriteResult:
        """Atomically replace the partition ``column == value`` with ``data`` (one commit).

        Creates the table partitioned by ``column`` on first write. Empty ``data`` deletes the
        partition. Other partitions are never touched. Raises, before committing anything:
        ``PartitionPredicateError`` if ``value`` does not match the column's type;
        ``PartitionMismatchError`` if a row of ``data`` lies outside the partition or the table
        is not partitioned by ``column``; ``MissingColumnsError`` if ``data`` lacks a column.
        New columns in ``data`` are added to the table (schema merge). With ``stats_columns``
        the table keeps min/max statistics of those columns only (``lake.stats``): raw PII.
        A ``BatchStream`` is written as it is produced (its rows checked batch by batch); what
        its producer raises aborts the write and is raised (``lake.streams``).
        """
        uri = self.uri(key)
        table = self._open(uri)
        schema = table_schema_of(table) if table is not None else data.schema
        predicate = partition_predicate(schema, column, value, table=uri)
        scalar = partition_scalar(data.schema, column, value, table=f"the data for {uri}")
        if table is not None:
            check_partitioned_by(uri, table.metadata().partition_columns, column)

        def inside(batch: pa.Table | pa.RecordBatch) -> None:
            check_in_partition(batch, column, scalar, uri)

        deleted = rows_in_partition(table, column, scalar) if table is not None else 0
        return self._replace_where(
            uri,
            table,
            data,
            "replace_partition",
            column,
            predicate,
            inside,
            deleted,
            stats_columns,
            [value],
        )

    @retry_commits
    def replace_range(
        self, key: Key, data: pa.Table, column: str, low: PartitionValue, high: PartitionValue
    ) -> WriteResult:
        """Atomically replace the rows with ``low <= column <= high`` by ``data`` (one commit).

        The predicate is built from typed values (``range_predicate``); every row of ``data``
        must lie in the range and the table must be partitioned by ``column``, else nothing is
        written (``PartitionPredicateError``, ``PartitionMismatchError``). A missing table is
        created, partitioned by ``column``. The schema must match the table's
        (``deltalake.exceptions.SchemaMismatchError``): change a schema with ``overwrite``.
        """
        uri = self.uri(key)
        table = self._open(uri)
        low_scalar = partition_scalar(data.schema, column, low, table=f"the data for {uri}")
        high_scalar = partition_scalar(data.schema, column, high, table=f"the data for {uri}")
        check_in_range(data, column, low_scalar, high_scalar, uri)
        if table is None:
            return self._write(uri, None, data, "replace_range", partition_by=[column])
        check_partitioned_by(uri, table.metadata().partition_columns, column)
        predicate = range_predicate(table_schema_of(table), column, low, high, table=uri)
        return self._write(uri, table, data, "replace_range", mode="overwrite", predicate=predicate)

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
        ``partition_by``) if missing. The upsert is computed in Arrow (``lake.upsert``) and
        the table rewritten with a plain write, never a delta-rs merge, whose files every
        filtered read would fail on; its cost is the table's, so keep it to dimensions.
        Raises ``MergeKeyError`` if keys or ``newer_column`` are missing, null or (keys)
        duplicated in ``data``, ``MissingColumnsError`` if ``data`` lacks a table column.
        """
        uri = self.uri(key)
        check_merge_input(data, keys, newer_column, uri)
        table = self._open(uri)
        if table is None:
            counts = {"rows_inserted": data.num_rows, "rows_updated": 0}
            partitions = list(partition_by) if partition_by else None
            return self._write(uri, None, data, "merge", counts, partition_by=partitions)
        check_columns_present(data.schema, table_schema_of(table), uri)
        if data.num_rows == 0:
            counts = {"rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}
            return describe_write(uri, table, table.version(), "merge", 0, counts, self._options())
        stored = arrow_dataset(table).to_table()
        rows, plan = upserted(stored, data, keys, newer_column)
        del stored
        counts = {"rows_inserted": plan.inserted, "rows_updated": plan.updated, "rows_deleted": 0}
        upsert = {"lakehouse.operation": "MERGE"} | {
            f"lakehouse.{k}": str(v) for k, v in counts.items()
        }
        result = self._write(
            uri,
            table,
            rows,
            "merge",
            counts,
            commit_properties=CommitProperties(custom_metadata=upsert),
            mode="overwrite",
            partition_by=table.metadata().partition_columns or None,
            schema_mode="merge" if extra_columns(data.schema, table_schema_of(table)) else None,
        )
        return replace(result, rows=data.num_rows)

    @retry_commits
    def replace_partitions(
        self,
        key: Key,
        data: pa.Table | BatchStream,
        column: str,
        values: Sequence[PartitionValue],
        stats_columns: Sequence[str] | None = None,
        commit_metadata: Mapping[str, str] | None = None,
        before_commit: Callable[[], object] | None = None,
    ) -> WriteResult:
        """Atomically replace every partition ``column in values`` with ``data`` (one commit).

        Like ``replace_partition`` for several partitions at once: each value is checked like
        a partition value, every row of ``data`` must lie in one of the partitions, other
        partitions are never touched, a missing table is created partitioned by ``column``,
        and ``stats_columns`` and a ``BatchStream`` are as there; ``commit_metadata`` is
        recorded in the commit. ``before_commit`` is awaited between writing the files and
        committing them (another table's commit that must land first, made meanwhile); what
        it raises aborts this write. Raises ``ValueError`` when ``values`` is empty, and the
        errors of ``replace_partition``.
        """
        uri = self.uri(key)
        if not values:
            raise ValueError(f"replace_partitions of {uri} needs at least one partition value")
        table = self._open(uri)
        schema = table_schema_of(table) if table is not None else data.schema
        unique = sorted(set(values))  # type: ignore[type-var]
        predicate = " OR ".join(
            f"({partition_predicate(schema, column, v, table=uri)})" for v in unique
        )
        scalars = [
            partition_scalar(data.schema, column, v, table=f"the data for {uri}") for v in unique
        ]

        def inside(batch: pa.Table | pa.RecordBatch) -> None:
            check_in_partitions(batch, column, scalars, uri)

        rows_deleted: int | None = 0
        if table is not None:
            check_partitioned_by(uri, table.metadata().partition_columns, column)
            rows_deleted = rows_in_partitions(table, column, scalars)
        return self._replace_where(
            uri,
            table,
            data,
            "replace_partitions",
            column,
            predicate,
            inside,
            rows_deleted,
            stats_columns,
            unique,
            commit_metadata,
            before_commit,
        )
