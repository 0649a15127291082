"""How the store commits to its Delta tables: every data write goes through one call.

``TableCommits._write`` writes through the open table when there is one (so the new version
is ours), keeps min/max statistics to the table's restriction (``lake.stats``: no raw PII in
the log or the footers) and describes the commit as a ``WriteResult``. ``DeltaStore`` builds
its append, overwrite, partition and merge writes on it; restores are commits too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from lakehouse.lake.checks import check_columns_present, check_partitioned_by, extra_columns
from lakehouse.lake.chunked import ADDED_ROWS, PREDICATE, replace_in_chunks
from lakehouse.lake.linked import added_files, alike, rows_of
from lakehouse.lake.linked import link_partitions as link_files
from lakehouse.lake.predicates import (
    PartitionValue,
    partition_predicate,
    partition_scalar,
    partition_text,
)
from lakehouse.lake.reader import DeltaReader, Key, TableNotFoundError
from lakehouse.lake.results import WriteResult, describe_write, rows_in_partitions
from lakehouse.lake.retry import retry_commits
from lakehouse.lake.stats import restrict_stats
from lakehouse.lake.streams import BatchStream, StreamFeed


def table_schema_of(table: DeltaTable) -> pa.Schema:
    """A Delta table's schema in Arrow."""
    return pa.schema(table.schema().to_arrow())


class TableCommits(DeltaReader):
    """The commits under ``DeltaStore``'s writes (use ``DeltaStore``)."""

    def _write(
        self,
        uri: str,
        table: DeltaTable | None,
        data: pa.Table | BatchStream,
        operation: str,
        counts: Mapping[str, int | None] | None = None,
        *,
        stats_columns: Sequence[str] | None = None,
        check: Callable[[pa.RecordBatch], None] | None = None,
        replaced: tuple[str, list[str]] | None = None,
        before_commit: Callable[[], object] | None = None,
        **write_args: Any,
    ) -> WriteResult:
        """Write through the open table if there is one (so its version is ours), else create.

        Min/max statistics are kept to ``stats_columns``, else to the table's own restriction.
        A ``BatchStream`` is written as it is produced, each batch passed to ``check`` first;
        whatever its producer or ``check`` raises aborts the write (nothing is committed) and
        is raised as itself. A stream that ``replaced`` partitions (column, values) of the
        same schema is written in bounded chunks and committed once (``lake.chunked``), after
        ``before_commit`` returned (what it raises aborts the write; any other write calls it
        first). A create that finds the table created meanwhile by another writer lost a
        commit race (``CommitFailedError``): the store's retry runs the whole operation again.
        """
        write_args.update(restrict_stats(table, stats_columns))
        before = table.version() if table is not None else None
        feed = StreamFeed(data, check) if isinstance(data, BatchStream) else None
        source = feed.reader() if feed is not None else data
        try:
            if feed is not None and replaced is not None and write_args.get("schema_mode") is None:
                column, values = replaced
                replace_in_chunks(
                    uri,
                    table,
                    source,  # type: ignore[arg-type]
                    column,
                    values,
                    self._options(),
                    write_args,
                    before_commit,
                )
            else:
                if before_commit is not None:
                    before_commit()
                write_deltalake(
                    table if table is not None else uri,
                    source,  # type: ignore[arg-type]
                    storage_options=self._options(),
                    **write_args,
                )
        except Exception as error:
            if feed is not None and feed.error is not None:
                raise feed.error from None  # the producer's own exception, not delta-rs's wrap
            if isinstance(error, DeltaError) and table is None and "already exists" in str(error):
                raise CommitFailedError(f"{uri} was created by another writer: {error}") from error
            raise
        rows = feed.rows if feed is not None else source.num_rows  # type: ignore[union-attr]
        return describe_write(uri, table, before, operation, rows, counts or {}, self._options())

    def _replace_where(
        self,
        uri: str,
        table: DeltaTable | None,
        data: pa.Table | BatchStream,
        operation: str,
        column: str,
        predicate: str,
        inside: Callable[[pa.Table | pa.RecordBatch], None],
        rows_deleted: int | None,
        stats_columns: Sequence[str] | None,
        values: Sequence[PartitionValue] = (),
        commit_metadata: Mapping[str, str] | None = None,
        before_commit: Callable[[], object] | None = None,
    ) -> WriteResult:
        """Overwrite the rows matching ``predicate`` (whole partitions of ``column``) with
        ``data``, its rows checked by ``inside`` first (a stream's batch by batch), recording
        ``commit_metadata`` in the commit. With ``before_commit`` a table is written as a
        stream, so its files are written before ``before_commit`` is awaited and committed
        after it."""
        if before_commit is not None and not isinstance(data, BatchStream):
            data = BatchStream(data.schema, data.to_batches)
        schema = table_schema_of(table) if table is not None else data.schema
        streamed = isinstance(data, BatchStream)
        if isinstance(data, pa.Table):
            inside(data)
        if table is not None:
            check_columns_present(data.schema, schema, uri)
        result = self._write(
            uri,
            table,
            data,
            operation,
            {"rows_inserted": None if streamed else data.num_rows, "rows_deleted": rows_deleted},
            stats_columns=stats_columns,
            check=inside if streamed else None,
            replaced=(column, [partition_text(v) for v in values]) if streamed else None,
            before_commit=before_commit,
            mode="overwrite",
            predicate=predicate,
            partition_by=[column] if table is None else None,
            schema_mode="merge"
            if table is not None and extra_columns(data.schema, schema)
            else None,
            commit_properties=CommitProperties(custom_metadata=dict(commit_metadata))
            if commit_metadata
            else None,
        )
        return replace(result, rows_inserted=result.rows) if streamed else result

    @retry_commits
    def link_partitions(
        self,
        key: Key,
        source: WriteResult,
        column: str,
        values: Sequence[PartitionValue],
        commit_metadata: Mapping[str, str] | None = None,
    ) -> WriteResult | None:
        """Replace the partitions ``column in values`` of ``key``'s table with the files the
        write ``source`` (a partition replace of another table) added to them: linked, not
        encoded again (``lake.linked``), in one commit recording ``commit_metadata``.

        Returns None, writing nothing, when the two tables differ in schema or statistics
        columns, or the files ``source`` added to those partitions do not hold its rows (a
        racing writer's commit read as its own): write the rows instead. A missing table is
        created partitioned by ``column``.
        """
        if not source.operation.startswith("replace_partition"):
            raise ValueError(f"{source.uri}: a {source.operation} did not replace partitions")
        uri = self.uri(key)
        table = self._open(uri)
        origin = DeltaTable(source.uri, version=source.version, storage_options=self._options())
        unique = sorted({partition_text(v) for v in values})
        options = self._options()
        adds = added_files(source.uri, source.version, column, unique, options)
        if not alike(origin, table) or rows_of(adds) != source.rows:
            return None
        deleted: int | None = 0
        schema = table_schema_of(table if table is not None else origin)
        if table is not None:
            check_partitioned_by(uri, table.metadata().partition_columns, column)
            scalars = [partition_scalar(schema, column, v, table=uri) for v in values]
            deleted = rows_in_partitions(table, column, scalars)
        before = table.version() if table is not None else None
        # As a chunked write records them (a transaction has no operation metrics of its own):
        # `lakehouse history` shows the rows added and the partitions replaced.
        replaced = (partition_predicate(schema, column, v, table=uri) for v in sorted(values))
        metadata = {
            **(commit_metadata or {}),
            PREDICATE: " OR ".join(f"({p})" for p in replaced),
            ADDED_ROWS: str(source.rows),
        }
        link_files(source.uri, origin, adds, uri, table, column, unique, options, metadata)
        counts = {"rows_inserted": source.rows, "rows_deleted": deleted}
        return describe_write(
            uri, table, before, "replace_partitions", source.rows, counts, self._options()
        )

    def restore(
        self, key: Key, version: int, metadata: Mapping[str, str]
    ) -> tuple[dict[str, Any], int]:
        """Restore the table to ``version`` as a new commit carrying ``metadata``.

        Only the store's own table is restored, never a branch's pinned base table.
        Returns deltalake's restore metrics and the new version.
        """
        table = self._open(self.uri(key))
        if table is None:
            raise TableNotFoundError(f"no Delta table at {self.uri(key)} to restore")
        properties = CommitProperties(custom_metadata=dict(metadata))
        metrics = table.restore(version, commit_properties=properties)
        return metrics, table.version()
