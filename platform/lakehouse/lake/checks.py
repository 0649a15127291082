"""Checks on incoming data, run before any write so that a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc


class PartitionMismatchError(ValueError):
    """Data handed to ``replace_partition`` does not all belong to the partition replaced."""


class MissingColumnsError(ValueError):
    """Incoming data lacks columns the target table has."""


class MergeKeyError(ValueError):
    """Merge keys are missing, null or not unique in the incoming data."""


def check_in_partition(
    data: pa.Table | pa.RecordBatch, column: str, value: pa.Scalar, uri: str
) -> None:
    """Raise ``PartitionMismatchError`` unless every row has ``column == value`` (no nulls)."""
    matches = pc.fill_null(pc.equal(data.column(column), value), False)
    inside = pc.sum(matches).as_py() or 0
    outside = data.num_rows - inside
    if outside == 0:
        return
    first = pc.index(matches, False).as_py()
    example = data.column(column)[first].as_py()
    raise PartitionMismatchError(
        f"{outside} of {data.num_rows} rows for {uri} have {column} outside the partition "
        f"{column}={value.as_py()!r} (e.g. {example!r}); nothing was written. Filter the data "
        "to that partition, or write each partition separately."
    )


def check_in_range(data: pa.Table, column: str, low: pa.Scalar, high: pa.Scalar, uri: str) -> None:
    """Raise ``PartitionMismatchError`` unless every row has ``low <= column <= high``."""
    values = data.column(column)
    inside = pc.fill_null(
        pc.and_(pc.greater_equal(values, low), pc.less_equal(values, high)), False
    )
    outside = data.num_rows - (pc.sum(inside).as_py() or 0)
    if outside == 0:
        return
    example = values[pc.index(inside, False).as_py()].as_py()
    raise PartitionMismatchError(
        f"{outside} of {data.num_rows} rows for {uri} have {column} outside "
        f"{low.as_py()}..{high.as_py()} (e.g. {example!r}); nothing was written. Filter the "
        "data to the range, so a range replace changes only its own rows."
    )


def check_partitioning(uri: str, actual: Sequence[str], wanted: Sequence[str]) -> None:
    """Raise ``ValueError`` if an existing table's partition columns are not ``wanted``."""
    if list(wanted) != list(actual):
        raise ValueError(
            f"table {uri} is partitioned by {list(actual)}, not {list(wanted)}: partitioning is "
            "fixed when a table is created; drop partition_by or rebuild the table"
        )


def check_partitioned_by(uri: str, actual: Sequence[str], column: str) -> None:
    """Raise ``PartitionMismatchError`` unless ``column`` is a partition column of the table."""
    if column not in actual:
        raise PartitionMismatchError(
            f"table {uri} is partitioned by {list(actual)}, not by {column!r}: "
            "replace_partition only replaces whole partitions; use merge, or rebuild the "
            "table partitioned by that column"
        )


def check_columns_present(data: pa.Schema, table_schema: pa.Schema, uri: str) -> None:
    """Raise ``MissingColumnsError`` if data of schema ``data`` lacks a column of the table's."""
    missing = [name for name in table_schema.names if name not in data.names]
    if missing:
        raise MissingColumnsError(
            f"data for {uri} lacks columns {missing} that the table has; nothing was written. "
            "Add them (as typed nulls if they are unknown) or fix the upstream schema."
        )


def check_merge_input(
    data: pa.Table, keys: Sequence[str], newer_column: str | None, uri: str
) -> None:
    """Raise ``MergeKeyError`` unless keys exist, are non-null and unique in ``data``.

    ``newer_column``, when given, must exist and be non-null too: a null there would never win
    the ``s.newer >= t.newer`` comparison and the row would be silently dropped.
    """
    if not keys:
        raise MergeKeyError(f"merge into {uri} needs at least one key column")
    needed = [*keys, *([newer_column] if newer_column else [])]
    missing = [name for name in needed if name not in data.column_names]
    if missing:
        raise MergeKeyError(
            f"merge into {uri}: columns {missing} not in the data (columns: {data.column_names})"
        )
    nulls = {name: data.column(name).null_count for name in needed}
    nulls = {name: count for name, count in nulls.items() if count}
    if nulls:
        raise MergeKeyError(
            f"merge into {uri}: null values in key/ordering columns {nulls}; drop or "
            "quarantine those rows first"
        )
    counts = data.select(list(keys)).group_by(list(keys)).aggregate([([], "count_all")])
    dupes = counts.filter(pc.greater(counts.column("count_all"), 1))
    if dupes.num_rows:
        examples = dupes.slice(0, 3).to_pylist()
        raise MergeKeyError(
            f"merge into {uri}: {dupes.num_rows} key values occur more than once in the data "
            f"(e.g. {examples}); deduplicate on {list(keys)} first (keep the newest row)"
        )


def extra_columns(data: pa.Schema, table_schema: pa.Schema) -> list[str]:
    """Columns of data of schema ``data`` the table does not have yet (additive schema drift)."""
    return [name for name in data.names if name not in table_schema.names]


def check_in_partitions(
    data: pa.Table | pa.RecordBatch, column: str, values: Sequence[pa.Scalar], uri: str
) -> None:
    """Raise ``PartitionMismatchError`` unless every row's ``column`` is one of ``values``."""
    allowed = pa.array([v.as_py() for v in values], data.schema.field(column).type)
    inside = pc.fill_null(pc.is_in(data.column(column), value_set=allowed), False)
    outside = data.num_rows - (pc.sum(inside).as_py() or 0)
    if outside:
        example = data.column(column)[pc.index(inside, False).as_py()].as_py()
        raise PartitionMismatchError(
            f"{outside} of {data.num_rows} rows for {uri} have {column} outside the partitions "
            f"replaced ({', '.join(str(v.as_py()) for v in values)}; e.g. {example!r}); nothing "
            "was written. Filter the data to those partitions, or name every partition it holds."
        )
