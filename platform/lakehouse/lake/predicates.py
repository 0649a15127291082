"""Typed partition predicates for delta-rs.

A predicate overwrite with a wrong or unparsable predicate can replace far more than one
partition, so predicates are only ever built here, from a Python value whose type has been
checked against the column's Arrow type. No caller-supplied SQL reaches delta-rs.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

PartitionValue = dt.date | dt.datetime | int | str


class PartitionPredicateError(ValueError):
    """A partition value does not fit the table's column, so no predicate can be built."""


def quote_identifier(name: str) -> str:
    """Quote a column name for delta-rs SQL (always quoted, so case and keywords are safe)."""
    return '"' + name.replace('"', '""') + '"'


def _where(table: str | None) -> str:
    return f" of table {table}" if table else ""


def _expected(dtype: pa.DataType) -> tuple[type, str] | None:
    """The Python type a partition value must have for ``dtype``, and its description."""
    if pa.types.is_date(dtype):
        return dt.date, "a datetime.date (not datetime.datetime or str)"
    if (
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    ):
        return str, "a str"
    if pa.types.is_integer(dtype):
        return int, "an int (not bool)"
    if pa.types.is_timestamp(dtype):
        tz = getattr(dtype, "tz", None)
        described = "a timezone-aware datetime" if tz else "a naive datetime (no tzinfo)"
        return dt.datetime, described
    return None


def _type_ok(value: object, dtype: pa.DataType, python_type: type) -> bool:
    if isinstance(value, bool) or not isinstance(value, python_type):
        return False
    if python_type is dt.date:
        return not isinstance(value, dt.datetime)
    if isinstance(value, dt.datetime):
        return (value.tzinfo is not None) == (getattr(dtype, "tz", None) is not None)
    return True


def partition_scalar(
    schema: pa.Schema, column: str, value: object, *, table: str | None = None
) -> pa.Scalar:
    """Check ``value`` against ``column`` of ``schema`` and return it as a typed Arrow scalar.

    Supported column types: date, string, integer and timestamp. Raises
    ``PartitionPredicateError`` if the column is missing, its type is unsupported, the value
    is null, of another Python type, or does not fit the column (integer overflow, precision).
    """
    if column not in schema.names:
        raise PartitionPredicateError(
            f"column {column!r} not found in {table or 'the schema'}; "
            f"its columns are {schema.names}"
        )
    dtype = schema.field(column).type
    expected = _expected(dtype)
    if expected is None:
        raise PartitionPredicateError(
            f"column {column!r}{_where(table)} has type {dtype}, which cannot be used as a "
            "partition: partition by a date, string, integer or timestamp column"
        )
    python_type, described = expected
    if not _type_ok(value, dtype, python_type):
        raise PartitionPredicateError(
            f"column {column!r}{_where(table)} has type {dtype}, so its value must be "
            f"{described}; got {value!r} ({type(value).__name__}): convert the value first"
        )
    try:
        scalar = pa.scalar(value, type=dtype)
        problem = None if scalar.as_py() == value else f"it would be stored as {scalar.as_py()!r}"
    except (pa.ArrowInvalid, OverflowError) as exc:
        problem = str(exc)
    else:
        if problem is None:
            return scalar
    raise PartitionPredicateError(
        f"value {value!r} does not fit column {column!r}{_where(table)} of type {dtype}: {problem}"
    )


def partition_text(value: PartitionValue) -> str:
    """``value`` as Delta records a partition value in its log (``partitionValues``): a date
    as ``YYYY-MM-DD``, a timestamp in UTC as ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _literal(value: PartitionValue) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return f"'{value.isoformat()}'"
    return f"'{value.isoformat()}'"


def partition_predicate(
    schema: pa.Schema, column: str, value: PartitionValue, *, table: str | None = None
) -> str:
    """Build ``"column" = <literal>`` for a delta-rs predicate overwrite, from a typed value.

    date columns take a ``datetime.date`` (``"day" = '2026-01-05'``), string columns a ``str``
    (single quotes doubled, so the value cannot escape the literal), integer columns an ``int``,
    timestamp columns a ``datetime`` (aware for UTC columns, naive for timestamp_ntz; aware
    values are written in UTC). ``table`` only names the table in error messages.
    Raises ``PartitionPredicateError`` when the value does not match the column (see
    ``partition_scalar``).
    """
    partition_scalar(schema, column, value, table=table)
    return f"{quote_identifier(column)} = {_literal(value)}"


def range_predicate(
    schema: pa.Schema,
    column: str,
    low: PartitionValue,
    high: PartitionValue,
    *,
    table: str | None = None,
) -> str:
    """Build ``"column" >= <low> AND "column" <= <high>`` from typed values (both included).

    Each bound is checked like a partition value (see ``partition_scalar``); ``low`` must not
    lie after ``high``. Raises ``PartitionPredicateError`` otherwise.
    """
    low_scalar = partition_scalar(schema, column, low, table=table)
    high_scalar = partition_scalar(schema, column, high, table=table)
    if low_scalar.as_py() > high_scalar.as_py():
        raise PartitionPredicateError(
            f"range {low!r}..{high!r} of column {column!r}{_where(table)} is empty: "
            "the low bound lies after the high bound"
        )
    col = quote_identifier(column)
    return f"{col} >= {_literal(low)} AND {col} <= {_literal(high)}"
