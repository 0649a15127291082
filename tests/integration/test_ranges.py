"""A range run (a backfill) builds exactly the tables that running its days one by one builds.

Both builds also serve the check that every column of every table filters in DuckDB SQL and in
pyarrow (one build of the days per module, not one per check). The silver dimensions are
upserts: before the store computed them itself, delta-rs's merge left string_view parquet files
that neither could filter (``Function 'equal' has no kernel matching input types (string,
string_view)``).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaStore
from lakehouse.lake.catalog import LAYERS, connect, discover_tables
from lakehouse.operations.jobs import DAILY_JOB
from lakehouse.settings import load_settings

START = date(2026, 1, 1)
DAYS = [START + timedelta(days=n) for n in range(2)]
RANGE_TAGS = {
    "dagster/asset_partition_range_start": DAYS[0].isoformat(),
    "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
}
CLOCK = "_ingested_at"
"""When bronze took a file in: the run's clock, the one column two builds never share."""


def _defs(tmp_path: Path, name: str, landing: Path) -> tuple[dg.Definitions, Path]:
    root = tmp_path / name
    settings = load_settings(
        {
            "LAKEHOUSE_ROOT": str(root),
            "LAKEHOUSE_LANDING": str(landing),
            "LAKEHOUSE_START_DATE": START.isoformat(),
        }
    )
    return build_definitions(settings), root


def _tables(root: Path) -> dict[str, pa.Table]:
    """Every Delta table under ``root`` (staging aside), its rows sorted, the clock dropped."""
    store = DeltaStore(str(root))
    tables = {}
    for log in sorted(root.glob("*/*/_delta_log")):
        layer, name = log.parent.parent.name, log.parent.name
        if layer.startswith("_"):
            continue
        table = store.read([layer, name])
        table = table.drop_columns([c for c in table.column_names if c == CLOCK or "ingested" in c])
        table = table.select(sorted(table.column_names))
        tables[f"{layer}/{name}"] = table.sort_by([(c, "ascending") for c in table.column_names])
    return tables


def _versions(root: Path) -> dict[str, int]:
    store = DeltaStore(str(root))
    return {
        f"{log.parent.parent.name}/{log.parent.name}": store.table(
            [log.parent.parent.name, log.parent.name]
        ).version()
        for log in root.glob("*/*/_delta_log")
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp_path = tmp_path_factory.mktemp("ranges")
    landing = tmp_path / "landing"
    # Re-deliveries and late rows: versions of a key across days and within one.
    faults = ("duplicate_delivery", "late_rows")
    generate(str(landing), START, len(DAYS), 40, faults=faults, seed=11)
    instance = dg.DagsterInstance.ephemeral()
    daily, daily_root = _defs(tmp_path, "daily", landing)
    job = daily.resolve_job_def(DAILY_JOB)
    for day in DAYS:
        assert job.execute_in_process(partition_key=day.isoformat(), instance=instance).success
    ranged, range_root = _defs(tmp_path, "range", landing)
    job = ranged.resolve_job_def(DAILY_JOB)
    result = job.execute_in_process(instance=instance, tags=RANGE_TAGS)
    assert result.success
    return {"daily": daily_root, "range": range_root, "job": job, "instance": instance}


def test_a_range_builds_the_tables_of_its_days_run_one_by_one(built: dict[str, object]) -> None:
    daily, ranged = _tables(built["daily"]), _tables(built["range"])  # type: ignore[arg-type]
    assert sorted(ranged) == sorted(daily)
    assert {"bronze/orders", "silver/orders", "silver/customers", "gold/orders_daily"} <= set(daily)
    for name, table in daily.items():
        assert ranged[name].num_rows == table.num_rows, name
        assert ranged[name].equals(table), name


def test_a_range_commits_once_per_table_and_a_rerun_changes_nothing(
    built: dict[str, object],
) -> None:
    root: Path = built["range"]  # type: ignore[assignment]
    before, versions = _tables(root), _versions(root)
    job: dg.JobDefinition = built["job"]  # type: ignore[assignment]
    layers = [k for k in job.asset_layer.executable_asset_keys if k.path[0] != "gold"]
    result = job.execute_in_process(
        instance=built["instance"],  # type: ignore[arg-type]
        tags=RANGE_TAGS,
        asset_selection=layers,
    )
    assert result.success
    after = _versions(root)
    for name in ("bronze/orders", "silver/orders_history", "quarantine/orders"):
        assert after[name] == versions[name] + 1, name
    assert after["silver/orders"] == versions["silver/orders"] + 1
    again = _tables(root)
    for name, table in before.items():
        assert again[name].equals(table), name


def _value(column: pa.ChunkedArray) -> object:
    valid = column.drop_null()
    return valid[0].as_py() if len(valid) else None


@pytest.mark.parametrize("build", ["daily", "range"])
def test_every_column_of_every_table_filters_in_duckdb_and_pyarrow(
    built: dict[str, object], build: str
) -> None:
    # Two days, re-deliveries and late rows included, through the whole daily job: bronze,
    # silver, quarantine and the daily marts.
    root = str(built[build])
    store = DeltaStore(root)
    tables = discover_tables(root)
    for layer in ("bronze", "silver", "quarantine", "gold"):
        assert any(name.startswith(f"{layer}.") for name in tables), layer
    assert {"silver.customers", "silver.products", "silver.orders"} <= set(tables)
    con, _ = connect(root, layers=LAYERS)
    checked = 0
    for name in tables:
        layer, table = name.split(".")
        dataset = store.dataset([layer, table])
        full = dataset.to_table()
        for field in dataset.schema:
            value = _value(full.column(field.name))
            if value is None:
                condition, expected = pc.field(field.name).is_null(), full.column(field.name)
                expected_rows = expected.null_count
                sql, params = f'select count(*) from {name} where "{field.name}" is null', []
            else:
                scalar = pa.scalar(value, field.type)
                condition = pc.field(field.name) == scalar
                expected_rows = pc.sum(pc.equal(full.column(field.name), scalar)).as_py()
                sql, params = f'select count(*) from {name} where "{field.name}" = ?', [value]
            assert dataset.to_table(filter=condition).num_rows == expected_rows, (name, field)
            assert con.execute(sql, params).fetchall()[0][0] == expected_rows, (name, field)
            checked += 1
    con.close()
    assert checked > 100
