"""The `rollback_table` job restores a table in process, as a Launchpad run would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.operations.history import table_history
from lakehouse.operations.operations_defs import rollback_table
from lakehouse.settings import Settings, load_settings

KEY = "silver/orders"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(tmp_path / "landing")}
    )
    store = DeltaStore(settings.root)
    for landed, ids in ((date(2026, 1, 1), ["a", "b"]), (date(2026, 1, 1), ["bad"])):
        rows = pa.table({"order_id": ids, "_landing_date": [landed] * len(ids)})
        store.replace_partition(KEY, rows, "_landing_date", landed)
    return settings


def run_config(**config: object) -> dict[str, object]:
    return {"ops": {"restore_table": {"config": {"table": KEY, **config}}}}


def test_job_from_the_definitions_restores_and_records_the_reason(settings: Settings) -> None:
    store = DeltaStore(settings.root)
    expected = store.table(KEY)
    expected.load_as_version(0)
    expected_rows = expected.to_pyarrow_table()
    job = build_definitions(settings).resolve_job_def("rollback_table")
    result = job.execute_in_process(
        run_config=run_config(version=0, reason="bad re-run of 2026-01-01"),
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    assert store.read(KEY).equals(expected_rows)
    newest = table_history(store, KEY, limit=1)[0]
    assert (newest.operation, newest.reason) == ("RESTORE", "bad re-run of 2026-01-01")
    assert newest.user_metadata["lakehouse.dagster_run_id"] == result.run_id
    observation = result.asset_observations_for_node("restore_table")[0]
    assert observation.asset_key == dg.AssetKey(["silver", "orders"])
    assert observation.metadata["restored_version"].value == 0


def test_refused_rollback_fails_the_run_with_the_reason(settings: Settings) -> None:
    resource = LakehouseResource.from_settings(settings)
    result = rollback_table.execute_in_process(
        run_config=run_config(version=9, reason="typo"),
        resources={"lakehouse": resource},
        raise_on_error=False,
    )
    assert not result.success
    failure = result.failure_data_for_node("restore_table")
    assert failure is not None
    assert "silver/orders has no version 9" in (failure.user_failure_data.description or "")
    assert DeltaStore(settings.root).table(KEY).version() == 1
