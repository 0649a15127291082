"""The Dagster instance files: prod is valid, reads its database from DAGSTER_PG_* (run, event
log and schedule storages alike, the event log the platform's), and runs the same queue, pools
and run retries as dev."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster._config import process_config
from dagster._core.instance.config import dagster_instance_config
from dagster_aws.ecs import EcsRunLauncher

from lakehouse.operations.postgres_event_log import LakehousePostgresEventLogStorage

INSTANCES = Path(__file__).resolve().parents[3] / "infra" / "dagster"
PG_VARIABLES = {
    "DAGSTER_PG_HOST": "db.internal",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_PG_USER": "dagster",
    "DAGSTER_PG_PASSWORD": "secret",
}


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((INSTANCES / name).read_text())


def test_prod_instance_validates_against_dagsters_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**PG_VARIABLES, "DAGSTER_RUN_TASK_DEFINITION": "run"}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "dagster.yaml").write_text((INSTANCES / "dagster.prod.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert "storage" not in config  # the three storages are named one by one
    assert config["event_log_storage"]["class"] == LakehousePostgresEventLogStorage.__name__
    launcher = config["run_launcher"]
    checked = process_config(EcsRunLauncher.config_type(), launcher["config"])
    assert checked.success, checked.errors


@pytest.mark.parametrize("storage", ["run_storage", "event_log_storage", "schedule_storage"])
def test_prod_storage_reads_every_connection_field_from_the_environment(storage: str) -> None:
    database = _load("dagster.prod.yaml")[storage]["config"]["postgres_db"]
    from_env = {field: value["env"] for field, value in database.items() if isinstance(value, dict)}
    assert from_env == {
        "hostname": "DAGSTER_PG_HOST",
        "port": "DAGSTER_PG_PORT",
        "db_name": "DAGSTER_PG_DB",
        "username": "DAGSTER_PG_USER",
        "password": "DAGSTER_PG_PASSWORD",
    }
    assert database["scheme"] == "postgresql+psycopg2"


@pytest.mark.parametrize("section", ["concurrency", "run_retries", "telemetry"])
def test_prod_runs_the_same_queue_pools_and_retries_as_dev(section: str) -> None:
    assert _load("dagster.prod.yaml")[section] == _load("dagster.dev.yaml")[section]
