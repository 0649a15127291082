"""DeltaStore.link_partitions: a partition one table just got, given to another without
encoding it again (real Delta tables in tmp_path)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakehouse.lake import DeltaStore, chunked
from lakehouse.lake.streams import BatchStream
from lakehouse.operations.history import parse_commit

HISTORY, CURRENT = ["silver", "orders_history"], ["silver", "orders"]
DAY1, DAY2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)


def orders(day: dt.date, ids: list[int], status: str = "confirmed") -> pa.Table:
    return pa.table(
        {
            "landing_date": pa.array([day] * len(ids), pa.date32()),
            "order_id": pa.array(ids, pa.int64()),
            "status": pa.array([status] * len(ids), pa.string()),
        }
    )


def streamed(table: pa.Table) -> BatchStream:
    """The table as a stream: the store writes it in staged chunks, as silver's spools."""
    return BatchStream(table.schema, lambda: table.to_batches(max_chunksize=2))


def read(store: DeltaStore, key: list[str]) -> list[dict[str, object]]:
    return store.read(key).sort_by("order_id").to_pylist()


def data_files(store: DeltaStore, key: list[str]) -> list[Path]:
    table = store.table(key)
    return [Path(uri.removeprefix("file://")) for uri in table.file_uris()]


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path / "lake"))


@pytest.mark.parametrize("as_stream", [False, True], ids=["table", "stream"])
def test_the_partition_is_the_sources_files_linked_not_written_again(
    store: DeltaStore, as_stream: bool
) -> None:
    day1 = orders(DAY1, [1, 2, 3])
    written = store.replace_partitions(
        HISTORY, streamed(day1) if as_stream else day1, "landing_date", [DAY1]
    )
    result = store.link_partitions(CURRENT, written, "landing_date", [DAY1], {"mark": "m1"})

    assert result is not None
    assert (result.rows, result.rows_inserted, result.operation) == (3, 3, "replace_partitions")
    assert read(store, CURRENT) == read(store, HISTORY) == day1.to_pylist()
    source = {f.stat().st_ino for f in data_files(store, HISTORY)}
    linked = {f.stat().st_ino for f in data_files(store, CURRENT)}
    assert linked == source and all(f.stat().st_nlink == 2 for f in data_files(store, CURRENT))
    info = store.table(CURRENT).history(1)[0]
    assert info["mark"] == "m1"
    entry = parse_commit(info)  # what `lakehouse history` shows
    assert entry.rows_added == 3 and "landing_date" in entry.parameters["predicate"]


def test_other_partitions_stay_and_the_replaced_one_loses_its_old_rows(store: DeltaStore) -> None:
    store.replace_partitions(CURRENT, orders(DAY2, [7]), "landing_date", [DAY2])
    store.replace_partitions(CURRENT, orders(DAY1, [8, 9]), "landing_date", [DAY1])
    written = store.replace_partitions(HISTORY, orders(DAY1, [1, 2]), "landing_date", [DAY1])

    result = store.link_partitions(CURRENT, written, "landing_date", [DAY1])

    assert result is not None and result.rows_deleted == 2
    assert [r["order_id"] for r in read(store, CURRENT)] == [1, 2, 7]


def test_the_target_keeps_its_rows_when_the_source_replaces_and_vacuums_them(
    store: DeltaStore,
) -> None:
    written = store.replace_partitions(HISTORY, orders(DAY1, [1, 2]), "landing_date", [DAY1])
    assert store.link_partitions(CURRENT, written, "landing_date", [DAY1]) is not None
    store.replace_partitions(HISTORY, orders(DAY1, [5]), "landing_date", [DAY1])
    store.table(HISTORY).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)

    assert [r["order_id"] for r in read(store, HISTORY)] == [5]
    assert [r["order_id"] for r in read(store, CURRENT)] == [1, 2]


def test_tables_that_differ_in_schema_or_statistics_are_not_linked(store: DeltaStore) -> None:
    store.replace_partitions(CURRENT, orders(DAY2, [7]).drop(["status"]), "landing_date", [DAY2])
    written = store.replace_partitions(HISTORY, orders(DAY1, [1]), "landing_date", [DAY1])
    assert store.link_partitions(CURRENT, written, "landing_date", [DAY1]) is None

    restricted = ["silver", "orders_restricted"]
    store.replace_partitions(restricted, orders(DAY2, [7]), "landing_date", [DAY2], ["order_id"])
    assert store.link_partitions(restricted, written, "landing_date", [DAY1]) is None
    assert [r["order_id"] for r in read(store, restricted)] == [7]


def test_a_commit_that_is_not_the_writes_own_is_not_linked(store: DeltaStore) -> None:
    written = store.replace_partitions(HISTORY, orders(DAY1, [1, 2]), "landing_date", [DAY1])
    store.replace_partitions(HISTORY, orders(DAY2, [3]), "landing_date", [DAY2])
    # A result naming the later commit (another writer's, read as ours): its files of DAY1
    # do not hold the rows written, so nothing is linked.
    raced = type(written)(**{**written.__dict__, "version": written.version + 1})

    assert store.link_partitions(CURRENT, raced, "landing_date", [DAY1]) is None
    assert not store.exists(CURRENT)


def test_only_a_partition_replace_can_be_linked(store: DeltaStore) -> None:
    appended = store.append(HISTORY, orders(DAY1, [1]), partition_by=["landing_date"])
    with pytest.raises(ValueError, match="did not replace partitions"):
        store.link_partitions(CURRENT, appended, "landing_date", [DAY1])


def test_a_failed_link_commits_nothing_and_leaves_no_staging_folder(store: DeltaStore) -> None:
    store.replace_partitions(CURRENT, orders(DAY1, [8]), "landing_date", [DAY1])
    version = store.table(CURRENT).version()
    written = store.replace_partitions(HISTORY, orders(DAY1, [1, 2]), "landing_date", [DAY1])
    for path in data_files(store, HISTORY):
        os.remove(path)  # the files to link are gone

    with pytest.raises(FileNotFoundError):
        store.link_partitions(CURRENT, written, "landing_date", [DAY1])

    assert DeltaTable(store.uri(CURRENT)).version() == version
    assert [r["order_id"] for r in read(store, CURRENT)] == [8]
    folder = Path(store.uri(CURRENT))
    assert not [p.name for p in folder.iterdir() if p.name.startswith("streamed-")]


@pytest.mark.parametrize("how", ["linked", "streamed"])
def test_a_failure_after_the_commit_keeps_the_committed_files(
    store: DeltaStore, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    store.replace_partitions(CURRENT, orders(DAY1, [8]), "landing_date", [DAY1])
    written = store.replace_partitions(HISTORY, orders(DAY1, [1, 2]), "landing_date", [DAY1])

    def lost_connection(*args: object) -> None:
        raise OSError("the log could not be read back")

    monkeypatch.setattr(chunked, "_own_version", lost_connection)
    with pytest.raises(OSError, match="read back"):
        if how == "linked":
            store.link_partitions(CURRENT, written, "landing_date", [DAY1])
        else:
            store.replace_partitions(
                CURRENT, streamed(orders(DAY1, [1, 2])), "landing_date", [DAY1]
            )

    assert [r["order_id"] for r in read(store, CURRENT)] == [1, 2]  # committed, files present


def test_partitions_of_timestamps_and_odd_text_are_replaced_streamed_and_linked(
    store: DeltaStore,
) -> None:
    """Delta records a timestamp partition as ``YYYY-MM-DD HH:MM:SS.ffffff`` and percent-encodes
    the file paths of such folders in its log: a streamed replace and a link must match both."""
    at = dt.datetime(2026, 1, 1, 5, 0, tzinfo=dt.UTC)

    def rows(ids: list[int]) -> pa.Table:
        stamps = pa.array([at] * len(ids), pa.timestamp("us", tz="UTC"))
        return pa.table({"at": stamps, "where": ["a b/c:%"] * len(ids), "order_id": ids})

    for key in (HISTORY, CURRENT):
        store.replace_partitions(key, rows([9]), "at", [at])
    written = store.replace_partitions(HISTORY, streamed(rows([1, 2])), "at", [at])
    assert [r["order_id"] for r in read(store, HISTORY)] == [1, 2]

    assert store.link_partitions(CURRENT, written, "at", [at]) is not None
    assert [r["order_id"] for r in read(store, CURRENT)] == [1, 2]
