"""Tables restricted to statistics columns keep no min/max of any other column, log or footer."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from lakehouse.branches.pins import create_branch
from lakehouse.branches.session import branch_settings
from lakehouse.lake import DeltaStore
from lakehouse.lake.branch_store import BranchStore
from lakehouse.lake.stats import STATS_COLUMNS, parse_stats_property, stats_property
from lakehouse.lake.streams import BatchStream
from lakehouse.settings import load_settings

KEY = ["bronze", "customers"]
DAY1, DAY2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)
ALLOWED = ["customer_id", "_landing_date"]


def _customers(day: dt.date, email: str = "ann@example.com") -> pa.Table:
    return pa.table(
        {
            "customer_id": ["C1", "C2"],
            "email": [email, "zed@example.com"],
            "_landing_date": pa.array([day, day], pa.date32()),
        }
    )


def _log_stats(uri: str) -> list[dict]:
    """The ``stats`` of every add action in the table's JSON commits, oldest first."""
    found = []
    for commit in sorted(Path(uri, "_delta_log").glob("*.json")):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            if "add" in action and action["add"].get("stats"):
                found.append(json.loads(action["add"]["stats"]))
    return found


def _footer_stats(uri: str, column: str) -> list[bool]:
    """For every data file of the table's current version: has ``column`` min/max?"""
    table = DeltaTable(uri)
    out = []
    for path in table.file_uris():
        meta = pq.ParquetFile(path.removeprefix("file://")).metadata
        index = meta.schema.names.index(column)
        for group in range(meta.num_row_groups):
            statistics = meta.row_group(group).column(index).statistics
            out.append(statistics is not None and statistics.has_min_max)
    return out


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path / "lake"))


@pytest.fixture(params=["table", "stream"])
def shape(request: pytest.FixtureRequest) -> Callable[[pa.Table], pa.Table | BatchStream]:
    """Data handed to the store whole, or streamed (written in chunks, committed once)."""
    if request.param == "table":
        return lambda table: table
    return lambda table: BatchStream(table.schema, table.to_batches)


@pytest.mark.parametrize(
    "columns", [["a", "_b"], ["my col", "x,y", "we`ird", "a.b"], []], ids=["plain", "odd", "none"]
)
def test_the_property_round_trips(columns: list[str]) -> None:
    assert parse_stats_property(stats_property(columns)) == columns


def test_a_new_table_keeps_no_statistics_of_other_columns(
    store: DeltaStore, shape: Callable[[pa.Table], pa.Table | BatchStream]
) -> None:
    data = shape(_customers(DAY1))
    store.replace_partition(KEY, data, "_landing_date", DAY1, stats_columns=ALLOWED)
    uri = store.uri(KEY)
    assert store.table(KEY).metadata().configuration[STATS_COLUMNS] == ",".join(ALLOWED)
    (stats,) = _log_stats(uri)
    assert stats["numRecords"] == 2
    assert set(stats["minValues"]) == set(stats["maxValues"]) == {"customer_id"}
    assert (
        "ann@example.com"
        not in Path(uri, "_delta_log").joinpath("00000000000000000000.json").read_text()
    )
    assert _footer_stats(uri, "email") == [False]
    assert _footer_stats(uri, "customer_id") == [True]
    assert store.read(KEY).num_rows == 2  # reads and partition counts still work


def test_an_existing_table_gets_the_restriction_at_its_next_write(
    store: DeltaStore, shape: Callable[[pa.Table], pa.Table | BatchStream]
) -> None:
    store.replace_partition(KEY, _customers(DAY1), "_landing_date", DAY1)
    uri = store.uri(KEY)
    assert "email" in _log_stats(uri)[0]["minValues"]  # what an old table holds
    data = shape(_customers(DAY2, "bob@example.com"))
    result = store.replace_partition(KEY, data, "_landing_date", DAY2, stats_columns=ALLOWED)
    assert store.table(KEY).metadata().configuration[STATS_COLUMNS] == ",".join(ALLOWED)
    assert result.rows_inserted == 2 and result.files_added == 1
    newest = _log_stats(uri)[-1]
    assert "email" not in newest["minValues"] and "customer_id" in newest["minValues"]
    assert "bob@example.com" not in json.dumps(_log_stats(uri))
    version = store.table(KEY).version()
    store.replace_partition(KEY, _customers(DAY2), "_landing_date", DAY2, stats_columns=ALLOWED)
    assert store.table(KEY).version() == version + 1  # set once: no property commit again


def test_later_writes_keep_the_restriction_without_being_told(store: DeltaStore) -> None:
    store.replace_partition(KEY, _customers(DAY1), "_landing_date", DAY1, stats_columns=ALLOWED)
    store.overwrite(
        KEY, _customers(DAY2, "cyd@example.com").append_column("phone", pa.array(["1", "2"]))
    )
    store.append(KEY, _customers(DAY2, "dee@example.com"))
    log = json.dumps(_log_stats(store.uri(KEY)))
    assert "cyd@example.com" not in log and "dee@example.com" not in log
    assert '"phone"' not in log  # a column the table gains later has none either
    assert not any(_footer_stats(store.uri(KEY), "email"))


def test_a_branch_copy_keeps_its_base_restriction(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_USER": "t"})
    base = DeltaStore(settings.root)
    base.replace_partition(KEY, _customers(DAY1), "_landing_date", DAY1, stats_columns=ALLOWED)
    create_branch(settings, "feature", commit="abc")
    branch = BranchStore(branch_settings(settings, "feature").root)
    branch.replace_partition(KEY, _customers(DAY2, "eve@example.com"), "_landing_date", DAY2)
    days = _customers(DAY2, "fay@example.com")
    branch.replace_partitions(KEY, days, "_landing_date", [DAY2], stats_columns=ALLOWED)
    log = json.dumps(_log_stats(branch.uri(KEY)))
    assert not [e for e in ("ann@", "eve@", "fay@") if e in log]
    assert branch.table(KEY).metadata().configuration[STATS_COLUMNS] == ",".join(ALLOWED)
