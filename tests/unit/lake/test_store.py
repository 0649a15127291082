"""DeltaStore against real Delta tables in tmp_path, read back with DuckDB and deltalake."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from lakehouse.lake import (
    DeltaStore,
    MergeKeyError,
    MissingColumnsError,
    PartitionMismatchError,
    PartitionPredicateError,
    TableNotFoundError,
    register_delta,
)

ORDERS = ["silver", "orders"]
DAY1, DAY2, DAY3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)


def orders(day: dt.date, ids: list[int], status: str = "confirmed") -> pa.Table:
    """Orders of one day, order_total = 10 * order_id."""
    return pa.table(
        {
            "order_date": pa.array([day] * len(ids), pa.date32()),
            "order_id": pa.array(ids, pa.int64()),
            "status": pa.array([status] * len(ids), pa.string()),
            "order_total": pa.array([10.0 * i for i in ids], pa.float64()),
        }
    )


def rows(table: pa.Table, *sort: str) -> list[dict[str, object]]:
    return table.sort_by([(c, "ascending") for c in sort]).to_pylist()


def files_of(store: DeltaStore, day: dt.date) -> set[tuple[str, int]]:
    """(path, size) of every live file in one order_date partition."""
    actions = pa.table(store.table(ORDERS).get_add_actions(flatten=True))
    mine = actions.filter(pc.equal(actions["partition.order_date"], pa.scalar(day, pa.date32())))
    return set(zip(mine["path"].to_pylist(), mine["size_bytes"].to_pylist(), strict=True))


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path / "lake"))


@pytest.fixture
def three_days(store: DeltaStore) -> DeltaStore:
    """silver/orders partitioned by order_date with days 1..3, ids 1-2, 3-4, 5-6."""
    for day, ids in ((DAY1, [1, 2]), (DAY2, [3, 4]), (DAY3, [5, 6])):
        store.replace_partition(ORDERS, orders(day, ids), "order_date", day)
    return store


# --- basics -------------------------------------------------------------------------------


def test_table_not_found_error_names_the_uri_and_says_to_materialise(store: DeltaStore) -> None:
    assert not store.exists(ORDERS)
    with pytest.raises(TableNotFoundError) as raised:
        store.table(ORDERS)
    assert store.uri(ORDERS) in str(raised.value)
    assert "materialise" in str(raised.value)
    assert isinstance(raised.value, LookupError)
    with pytest.raises(TableNotFoundError):
        store.read(ORDERS)


def test_dataset_if_exists_is_none_until_the_table_is_written(store: DeltaStore) -> None:
    assert store.dataset_if_exists(ORDERS) is None
    store.append(ORDERS, orders(DAY1, [1, 2]))
    dataset = store.dataset_if_exists(ORDERS)
    assert dataset is not None and dataset.to_table().num_rows == 2


def test_append_creates_the_table_then_adds_rows_in_new_versions(store: DeltaStore) -> None:
    first = store.append(ORDERS, orders(DAY1, [1, 2]), partition_by=["order_date"])
    second = store.append(ORDERS, orders(DAY2, [3]))

    assert store.exists(ORDERS)
    assert (first.version, second.version) == (0, 1)
    assert (first.rows, second.rows) == (2, 1)
    assert store.table(ORDERS).metadata().partition_columns == ["order_date"]
    assert sorted(store.read(ORDERS)["order_id"].to_pylist()) == [1, 2, 3]


def test_append_merges_new_columns_unless_told_not_to(store: DeltaStore) -> None:
    store.append(ORDERS, orders(DAY1, [1]))
    wider = orders(DAY1, [2]).append_column("channel", pa.array(["web"]))

    with pytest.raises(Exception, match="number of fields does not match"):
        store.append(ORDERS, wider, schema_mode_merge=False)
    store.append(ORDERS, wider)

    assert rows(store.read(ORDERS, columns=["order_id", "channel"]), "order_id") == [
        {"order_id": 1, "channel": None},
        {"order_id": 2, "channel": "web"},
    ]


def test_append_refuses_a_partitioning_other_than_the_tables(store: DeltaStore) -> None:
    store.append(ORDERS, orders(DAY1, [1]), partition_by=["order_date"])
    with pytest.raises(ValueError, match=r"partitioned by \['order_date'\], not \['status'\]"):
        store.append(ORDERS, orders(DAY1, [2]), partition_by=["status"])
    assert store.table(ORDERS).version() == 0


def test_overwrite_replaces_the_whole_table_schema_included(store: DeltaStore) -> None:
    store.append(ORDERS, orders(DAY1, [1, 2, 3]))
    mart = pa.table({"order_date": pa.array([DAY1], pa.date32()), "orders": [3]})

    result = store.overwrite(["gold", "orders_daily"], mart)
    assert result.version == 0
    result = store.overwrite(ORDERS, mart)

    assert result.operation == "overwrite"
    assert result.version == 1
    assert store.read(ORDERS).to_pylist() == [{"order_date": DAY1, "orders": 3}]


# --- replace_partition --------------------------------------------------------------------


def test_replace_partition_replaces_one_day_and_leaves_the_others_files_untouched(
    three_days: DeltaStore,
) -> None:
    store = three_days
    day1_files, day3_files = files_of(store, DAY1), files_of(store, DAY3)
    before = store.read(ORDERS)

    result = store.replace_partition(ORDERS, orders(DAY2, [30, 40, 50]), "order_date", DAY2)

    after = store.read(ORDERS)
    assert files_of(store, DAY1) == day1_files
    assert files_of(store, DAY3) == day3_files
    untouched = pc.not_equal(before["order_date"], pa.scalar(DAY2, pa.date32()))
    kept = pc.not_equal(after["order_date"], pa.scalar(DAY2, pa.date32()))
    assert rows(after.filter(kept), "order_id") == rows(before.filter(untouched), "order_id")
    day2 = store.read(ORDERS, filter_column="order_date", filter_value=DAY2)
    assert sorted(day2["order_id"].to_pylist()) == [30, 40, 50]
    assert (result.version, result.rows_inserted, result.rows_deleted) == (3, 3, 2)


def test_replace_partition_refuses_rows_outside_the_partition_and_writes_nothing(
    three_days: DeltaStore,
) -> None:
    store = three_days
    before = store.read(ORDERS)
    mixed = pa.concat_tables([orders(DAY2, [7]), orders(DAY3, [8, 9])])

    with pytest.raises(PartitionMismatchError) as raised:
        store.replace_partition(ORDERS, mixed, "order_date", DAY2)

    message = str(raised.value)
    assert "2 of 3 rows" in message
    assert "2026, 1, 3" in message  # the example value outside the partition
    assert store.uri(ORDERS) in message
    assert store.table(ORDERS).version() == 2
    assert rows(store.read(ORDERS), "order_id") == rows(before, "order_id")


def test_replace_partition_counts_null_partition_values_as_outside(store: DeltaStore) -> None:
    data = orders(DAY1, [1, 2]).set_column(0, "order_date", pa.array([DAY1, None], pa.date32()))
    with pytest.raises(PartitionMismatchError, match="1 of 2 rows"):
        store.replace_partition(ORDERS, data, "order_date", DAY1)
    assert not store.exists(ORDERS)


@pytest.mark.parametrize("wrong", ["2026-01-02", dt.datetime(2026, 1, 2), 20260102])
def test_replace_partition_with_a_wrongly_typed_value_raises_before_writing(
    three_days: DeltaStore, wrong: object
) -> None:
    store = three_days
    before = store.read(ORDERS)
    with pytest.raises(PartitionPredicateError, match=r"datetime\.date"):
        store.replace_partition(ORDERS, orders(DAY2, [9]), "order_date", wrong)  # type: ignore[arg-type]
    assert store.table(ORDERS).version() == 2
    assert rows(store.read(ORDERS), "order_id") == rows(before, "order_id")


def test_replace_partition_string_value_with_quotes_cannot_escape_the_predicate(
    store: DeltaStore,
) -> None:
    key = ["bronze", "events"]
    evil = "x' OR '1'='1"
    events = pa.table({"country": ["FR", "DE", evil], "n": [1, 2, 3]})
    for country in ("FR", "DE", evil):
        part = events.filter(pc.equal(events["country"], country))
        store.replace_partition(key, part, "country", country)

    store.replace_partition(key, pa.table({"country": [evil], "n": [30]}), "country", evil)
    other = "FR' OR 'a'='a"
    store.replace_partition(key, pa.table({"country": [other], "n": [40]}), "country", other)

    assert rows(store.read(key), "n") == [
        {"country": "FR", "n": 1},
        {"country": "DE", "n": 2},
        {"country": evil, "n": 30},
        {"country": other, "n": 40},
    ]


def test_replace_partition_with_empty_data_deletes_only_that_partition(
    three_days: DeltaStore,
) -> None:
    store = three_days
    result = store.replace_partition(ORDERS, orders(DAY2, []), "order_date", DAY2)

    assert sorted(store.read(ORDERS)["order_id"].to_pylist()) == [1, 2, 5, 6]
    assert (result.version, result.rows, result.files_added, result.bytes_added) == (3, 0, 0, 0)
    assert result.rows_deleted == 2


def test_replace_partition_twice_gives_the_same_rows_and_a_new_version(
    three_days: DeltaStore,
) -> None:
    store = three_days
    first = store.replace_partition(ORDERS, orders(DAY2, [3, 4]), "order_date", DAY2)
    once = store.read(ORDERS)
    second = store.replace_partition(ORDERS, orders(DAY2, [3, 4]), "order_date", DAY2)

    assert second.version == first.version + 1
    assert rows(store.read(ORDERS), "order_id") == rows(once, "order_id")
    assert store.read(ORDERS).num_rows == 6


def test_replace_partition_creates_the_table_partitioned_by_the_column(store: DeltaStore) -> None:
    store.replace_partition(ORDERS, orders(DAY1, [1]), "order_date", DAY1)
    assert store.table(ORDERS).metadata().partition_columns == ["order_date"]


def test_replace_partition_refuses_a_table_partitioned_by_another_column(
    store: DeltaStore,
) -> None:
    store.append(ORDERS, orders(DAY1, [1]), partition_by=["status"])
    with pytest.raises(PartitionMismatchError, match=r"partitioned by \['status'\]"):
        store.replace_partition(ORDERS, orders(DAY1, [2]), "order_date", DAY1)
    assert store.table(ORDERS).version() == 0


def test_replace_partition_adds_new_columns_but_refuses_missing_ones(
    three_days: DeltaStore,
) -> None:
    store = three_days
    wider = orders(DAY2, [3]).append_column("channel", pa.array(["web"]))
    store.replace_partition(ORDERS, wider, "order_date", DAY2)
    assert store.read(ORDERS, filter_column="order_date", filter_value=DAY2)[
        "channel"
    ].to_pylist() == ["web"]

    with pytest.raises(MissingColumnsError, match=r"lacks columns \['channel'\]"):
        store.replace_partition(ORDERS, orders(DAY3, [5]), "order_date", DAY3)
    assert store.table(ORDERS).version() == 3


def test_replace_partition_on_a_utc_timestamp_partition(store: DeltaStore) -> None:
    key = ["bronze", "loads"]
    hours = [dt.datetime(2026, 1, 5, h, tzinfo=dt.UTC) for h in (0, 1)]
    for hour in hours:
        data = pa.table({"hour": pa.array([hour], pa.timestamp("us", tz="UTC")), "n": [hour.hour]})
        store.replace_partition(key, data, "hour", hour)
    new = pa.table({"hour": pa.array([hours[1]], pa.timestamp("us", tz="UTC")), "n": [99]})
    store.replace_partition(key, new, "hour", hours[1])
    assert sorted(store.read(key)["n"].to_pylist()) == [0, 99]


# --- merge --------------------------------------------------------------------------------


def customers(ids: list[int], names: list[str], updated: list[int]) -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "name": names,
            "updated_at": pa.array(updated, pa.int64()),
        }
    )


CUSTOMERS = ["silver", "customers"]


def test_merge_keeps_the_newer_row_and_inserts_new_keys(store: DeltaStore) -> None:
    created = store.merge(CUSTOMERS, customers([1, 2], ["ann", "bob"], [10, 10]), ["customer_id"])
    incoming = customers([1, 2, 3], ["ann-old", "bob-new", "cid"], [5, 20, 1])

    result = store.merge(CUSTOMERS, incoming, ["customer_id"], newer_column="updated_at")

    assert rows(store.read(CUSTOMERS), "customer_id") == [
        {"customer_id": 1, "name": "ann", "updated_at": 10},
        {"customer_id": 2, "name": "bob-new", "updated_at": 20},
        {"customer_id": 3, "name": "cid", "updated_at": 1},
    ]
    assert (created.version, created.rows_inserted) == (0, 2)
    assert (result.operation, result.version, result.rows) == ("merge", 1, 3)
    assert (result.rows_inserted, result.rows_updated, result.rows_deleted) == (1, 1, 0)


def test_merge_without_newer_column_lets_the_incoming_row_win(store: DeltaStore) -> None:
    store.merge(CUSTOMERS, customers([1], ["ann"], [10]), ["customer_id"])
    store.merge(CUSTOMERS, customers([1], ["ann-old"], [5]), ["customer_id"])
    assert store.read(CUSTOMERS)["name"].to_pylist() == ["ann-old"]


def test_merge_rejects_duplicate_keys_and_names_them(store: DeltaStore) -> None:
    store.merge(CUSTOMERS, customers([1], ["ann"], [10]), ["customer_id"])
    dupes = customers([1, 2, 2], ["a", "b", "b2"], [11, 11, 12])

    with pytest.raises(MergeKeyError) as raised:
        store.merge(CUSTOMERS, dupes, ["customer_id"], newer_column="updated_at")

    assert "'customer_id': 2" in str(raised.value)
    assert "deduplicate" in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert store.table(CUSTOMERS).version() == 0


def test_merge_rejects_null_or_missing_keys(store: DeltaStore) -> None:
    nulls = customers([1], ["ann"], [10]).set_column(0, "customer_id", pa.array([None], pa.int64()))
    with pytest.raises(MergeKeyError, match="null values"):
        store.merge(CUSTOMERS, nulls, ["customer_id"])
    with pytest.raises(MergeKeyError, match=r"\['email'\] not in the data"):
        store.merge(CUSTOMERS, customers([1], ["ann"], [10]), ["email"])
    assert not store.exists(CUSTOMERS)


def test_merge_adds_columns_that_only_the_source_has(store: DeltaStore) -> None:
    store.merge(CUSTOMERS, customers([1], ["ann"], [10]), ["customer_id"])
    wider = customers([2], ["bob"], [10]).append_column("country", pa.array(["FR"]))
    store.merge(CUSTOMERS, wider, ["customer_id"])
    assert store.read(CUSTOMERS, columns=["customer_id", "country"]).sort_by("customer_id")[
        "country"
    ].to_pylist() == [None, "FR"]


def test_merge_of_no_rows_commits_nothing(store: DeltaStore) -> None:
    store.merge(CUSTOMERS, customers([1], ["ann"], [10]), ["customer_id"])
    result = store.merge(CUSTOMERS, customers([], [], []), ["customer_id"])
    assert (result.version, result.files_added, result.bytes_added) == (0, 0, 0)
    assert store.table(CUSTOMERS).version() == 0


# --- metadata, history, reads -------------------------------------------------------------


def test_write_result_numbers_match_the_commit(store: DeltaStore) -> None:
    results = [
        store.append(ORDERS, orders(DAY1, [1, 2]), partition_by=["order_date"]),
        store.append(ORDERS, orders(DAY2, [3])),
        store.replace_partition(ORDERS, orders(DAY1, [4, 5, 6]), "order_date", DAY1),
    ]
    table = DeltaTable(store.uri(ORDERS))
    actions = pa.table(table.get_add_actions(flatten=True))
    live_bytes = sum(actions["size_bytes"].to_pylist())

    assert [r.version for r in results] == [0, 1, 2]
    assert [r.rows for r in results] == [2, 1, 3]
    assert all(r.files_added >= 1 and r.bytes_added > 0 for r in results)
    # day 1's first file was replaced; what is live is day 2's file plus the new day 1 file.
    assert results[1].bytes_added + results[2].bytes_added == live_bytes
    assert results[2].files_added == table.history(1)[0]["operationMetrics"]["num_added_files"]

    metadata = results[2].as_metadata()
    assert json.loads(json.dumps(metadata)) == metadata
    assert metadata["delta_version"] == 2
    assert metadata["table_uri"] == store.uri(ORDERS)
    assert metadata["operation"] == "replace_partition"
    assert metadata["rows_deleted"] == 2
    assert "rows_updated" not in metadata


def test_history_lists_operations_newest_first(three_days: DeltaStore) -> None:
    store = three_days
    store.merge(ORDERS, orders(DAY1, [1], status="shipped"), ["order_id"])
    history = store.history(ORDERS)
    assert [h["version"] for h in history] == [3, 2, 1, 0]
    # The store computes merges itself and commits them as writes (no string_view files).
    assert [h["operation"] for h in history] == ["WRITE", "WRITE", "WRITE", "WRITE"]
    assert history[1]["operationParameters"]["predicate"] == "order_date = '2026-01-03'::date"
    assert len(store.history(ORDERS, limit=2)) == 2


def test_read_filters_on_a_partition_and_checks_the_value_type(three_days: DeltaStore) -> None:
    store = three_days
    day = store.read(ORDERS, filter_column="order_date", filter_value=DAY3, columns=["order_id"])
    assert day.column_names == ["order_id"]
    assert sorted(day["order_id"].to_pylist()) == [5, 6]
    with pytest.raises(PartitionPredicateError):
        store.read(ORDERS, filter_column="order_date", filter_value="2026-01-03")
    with pytest.raises(ValueError, match="not in"):
        store.read(ORDERS, columns=["nope"])


def test_register_delta_lets_duckdb_query_the_table(three_days: DeltaStore) -> None:
    store = three_days
    con = duckdb.connect()
    register_delta(con, "orders", store.table(ORDERS))
    register_delta(con, "orders_ds", store.dataset(ORDERS))

    per_day = con.sql(
        "select order_date, count(*), sum(order_total) from orders group by 1 order by 1"
    ).fetchall()
    assert per_day == [(DAY1, 2, 30.0), (DAY2, 2, 70.0), (DAY3, 2, 110.0)]
    one_day = con.sql("select count(*) from orders_ds where order_date = '2026-01-02'")
    assert one_day.fetchall() == [(2,)]


def test_store_works_under_a_file_uri_root(tmp_path: Path) -> None:
    store = DeltaStore(f"file://{tmp_path}/lake/")
    result = store.replace_partition(ORDERS, orders(DAY1, [1, 2]), "order_date", DAY1)
    assert store.uri(ORDERS) == f"file://{tmp_path}/lake/silver/orders"
    assert (tmp_path / "lake" / "silver" / "orders" / "_delta_log").is_dir()
    assert (result.version, result.files_added) == (0, 1)
    assert result.bytes_added > 0
    assert store.read(ORDERS).num_rows == 2
