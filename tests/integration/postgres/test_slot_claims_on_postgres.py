"""The production instance's event log on a real PostgreSQL: a pool slot freed while another
run's step registers its claim goes to that step (Dagster's own claim leaves it waiting)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from lakehouse.operations.postgres_event_log import LakehousePostgresEventLogStorage

from ...unit.operations.slot_race import POOL, STEP, replay_race
from .conftest import PROJECT, Postgres

PROD_INSTANCE = PROJECT / "infra" / "dagster" / "dagster.prod.yaml"


def test_the_step_left_waiting_claims_the_free_slot_on_postgres(
    tmp_path: Path, postgres: Postgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = yaml.safe_load(PROD_INSTANCE.read_text())
    config.pop("run_launcher")  # ECS-bound; nothing here launches a run
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    for name, value in postgres.dagster_env.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, LakehousePostgresEventLogStorage)

        replay_race(storage)

        assert storage.claim_concurrency_slot(POOL, "run-2", STEP).is_claimed
        assert storage.get_concurrency_info(POOL).active_run_ids == {"run-2"}
