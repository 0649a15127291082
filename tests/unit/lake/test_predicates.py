"""Partition predicates are built only from values whose type matches the column."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from lakehouse.lake import PartitionPredicateError, partition_predicate, partition_scalar

SCHEMA = pa.schema(
    [
        ("order_date", pa.date32()),
        ("country", pa.string()),
        ("big_country", pa.large_string()),
        ("bucket", pa.int16()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("local_at", pa.timestamp("us")),
        ("amount", pa.float64()),
        ("Order Date", pa.date32()),
    ]
)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("order_date", dt.date(2026, 1, 5), "\"order_date\" = '2026-01-05'"),
        ("country", "FR", "\"country\" = 'FR'"),
        ("big_country", "DE", "\"big_country\" = 'DE'"),
        ("bucket", 7, '"bucket" = 7'),
        ("bucket", -3, '"bucket" = -3'),
        ("local_at", dt.datetime(2026, 1, 5, 6, 30), "\"local_at\" = '2026-01-05T06:30:00'"),
        ("Order Date", dt.date(2026, 1, 5), "\"Order Date\" = '2026-01-05'"),
    ],
)
def test_partition_predicate_formats_typed_values(
    column: str, value: object, expected: str
) -> None:
    assert partition_predicate(SCHEMA, column, value) == expected  # type: ignore[arg-type]


def test_partition_predicate_writes_aware_timestamps_in_utc() -> None:
    paris_morning = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    predicate = partition_predicate(SCHEMA, "loaded_at", paris_morning)
    assert predicate == "\"loaded_at\" = '2026-01-04T23:00:00+00:00'"


def test_partition_predicate_doubles_single_quotes_so_the_value_stays_one_literal() -> None:
    predicate = partition_predicate(SCHEMA, "country", "x' OR '1'='1")
    assert predicate == "\"country\" = 'x'' OR ''1''=''1'"


def test_partition_predicate_escapes_double_quotes_in_column_names() -> None:
    schema = pa.schema([('we"ird', pa.string())])
    assert partition_predicate(schema, 'we"ird', "a") == '"we""ird" = \'a\''


@pytest.mark.parametrize(
    ("column", "value", "expected_type"),
    [
        ("order_date", "2026-01-05", "datetime.date"),
        ("order_date", dt.datetime(2026, 1, 5), "datetime.date"),
        ("order_date", None, "datetime.date"),
        ("country", 5, "a str"),
        ("bucket", "7", "an int"),
        ("bucket", True, "an int"),
        ("bucket", 7.0, "an int"),
        ("loaded_at", dt.datetime(2026, 1, 5), "timezone-aware"),
        ("loaded_at", dt.date(2026, 1, 5), "timezone-aware"),
        ("local_at", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), "naive"),
    ],
)
def test_partition_predicate_rejects_values_of_the_wrong_type(
    column: str, value: object, expected_type: str
) -> None:
    with pytest.raises(PartitionPredicateError) as raised:
        partition_predicate(SCHEMA, column, value, table="/lake/silver/orders")  # type: ignore[arg-type]
    message = str(raised.value)
    assert column in message
    assert expected_type in message
    assert repr(value) in message
    assert "/lake/silver/orders" in message


def test_partition_predicate_error_is_a_value_error() -> None:
    assert issubclass(PartitionPredicateError, ValueError)


def test_partition_predicate_names_the_columns_when_the_column_is_missing() -> None:
    with pytest.raises(PartitionPredicateError, match=r"'orderdate' not found.*order_date"):
        partition_predicate(SCHEMA, "orderdate", dt.date(2026, 1, 5))


def test_partition_predicate_refuses_unsupported_column_types() -> None:
    with pytest.raises(PartitionPredicateError, match="cannot be used as a partition"):
        partition_predicate(SCHEMA, "amount", 1)


def test_partition_predicate_refuses_values_that_do_not_fit_the_column() -> None:
    with pytest.raises(PartitionPredicateError, match="does not fit"):
        partition_predicate(SCHEMA, "bucket", 70_000)
    seconds = pa.schema([("at", pa.timestamp("s"))])
    with pytest.raises(PartitionPredicateError, match="would be stored as"):
        partition_predicate(seconds, "at", dt.datetime(2026, 1, 5, 0, 0, 0, 5))


def test_partition_scalar_returns_a_scalar_of_the_column_type() -> None:
    scalar = partition_scalar(SCHEMA, "bucket", 7)
    assert scalar.type == pa.int16()
    assert scalar.as_py() == 7
