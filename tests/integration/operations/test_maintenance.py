"""Table maintenance keeps every row, reduces files, and leaves time travel intact."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from lakehouse.datagen import generate
from lakehouse.lake.maintenance import MaintenanceError, live_files, maintain_table

from .conftest import days_ago, lakehouse_defs, lakehouse_settings

DAYS = [date(2026, 1, 1), date(2026, 1, 2)]


def _small_appends(uri: str, appends: int = 6) -> None:
    for n in range(appends):
        day = DAYS[n % 2]
        batch = pa.table(
            {
                "order_id": [f"o{n}-{i}" for i in range(5)],
                "amount": [float(n * 10 + i) for i in range(5)],
                "_landing_date": [day] * 5,
            }
        )
        write_deltalake(uri, batch, mode="append", partition_by=["_landing_date"])


def _rows(uri: str, version: int | None = None) -> list[dict]:
    table = DeltaTable(uri, version=version).to_pyarrow_table()
    return sorted(table.to_pylist(), key=lambda r: r["order_id"])


@pytest.mark.parametrize("z_order", [(), ("order_id",)])
def test_maintenance_keeps_the_rows_and_reduces_the_files(tmp_path: Path, z_order) -> None:
    uri = str(tmp_path / "silver" / "orders")
    _small_appends(uri)
    before = _rows(uri)
    result = maintain_table(uri, None, retention_days=7, z_order=z_order)
    assert _rows(uri) == before
    assert result.files_before == 6 and result.files_after == 2
    assert live_files(DeltaTable(uri)) == (result.files_after, result.bytes_after)
    assert result.z_order == tuple(z_order)


def test_time_travel_inside_the_rollback_window_still_works(tmp_path: Path) -> None:
    uri = str(tmp_path / "silver" / "orders")
    _small_appends(uri)
    first_version = _rows(uri, version=0)
    result = maintain_table(uri, None, retention_days=7)
    assert result.files_vacuumed == 0  # every replaced file is younger than the window
    assert _rows(uri, version=0) == first_version


def test_a_retention_shorter_than_delta_allows_is_refused(tmp_path: Path) -> None:
    uri = str(tmp_path / "silver" / "orders")
    _small_appends(uri, appends=2)
    with pytest.raises(MaintenanceError, match="LAKEHOUSE_ROLLBACK_WINDOW_DAYS"):
        maintain_table(uri, None, retention_days=1)


def test_the_maintenance_job_observes_every_built_table(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    settings = lakehouse_settings(tmp_path)
    for n in (2, 1):
        generate(settings.landing, days_ago(n), 1, 20, seed=n)
    defs = lakehouse_defs(settings)
    daily = defs.resolve_job_def("daily_lakehouse")
    layers = [
        k
        for k in defs.resolve_asset_graph().get_all_asset_keys()
        if k.path[0] in ("bronze", "silver")
    ]
    for n in (2, 1):
        daily.execute_in_process(
            partition_key=days_ago(n).isoformat(), instance=instance, asset_selection=layers
        )
    orders = dg.AssetKey(["silver", "orders"])
    rows_before = DeltaTable(f"{settings.root}/silver/orders").to_pyarrow_table().num_rows

    result = defs.resolve_job_def("table_maintenance").execute_in_process(instance=instance)

    assert result.success
    observations = instance.fetch_observations(orders, limit=1).records
    metadata = observations[0].asset_observation.metadata
    assert metadata["z_order"].value == "order_id"
    assert metadata["files_after"].value <= metadata["files_before"].value
    assert DeltaTable(f"{settings.root}/silver/orders").to_pyarrow_table().num_rows == rows_before
