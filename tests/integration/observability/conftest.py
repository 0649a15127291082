"""The demo history in a temporary instance, and the ops tables materialised from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaStore
from lakehouse.observability.defs import OPS_JOB
from lakehouse.observability.demo import DemoHistory, write_demo_history
from lakehouse.settings import Settings, load_settings

START = date(2026, 1, 1)


@dataclass(frozen=True)
class OpsLake:
    """Settings rooted in tmp_path, an instance holding the demo history, the ops tables."""

    settings: Settings
    instance: dg.DagsterInstance
    history: DemoHistory
    store: DeltaStore
    result: dg.ExecuteInProcessResult

    def table(self, name: str) -> list[dict]:
        """Rows of ``ops/<name>``."""
        return self.store.read(["ops", name]).to_pylist()


AS_OF = "2026-01-23T00:00:00+00:00"  # SLA deadlines are judged up to here, not up to today


def materialize_ops(settings: Settings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Run the ``ops_health`` job in process against ``instance``, SLAs as of ``AS_OF``."""
    job = build_definitions(settings).resolve_job_def(OPS_JOB)
    config = {"ops": {"ops__sla_daily": {"config": {"as_of": AS_OF}}}}
    return job.execute_in_process(instance=instance, run_config=config)


@pytest.fixture(scope="module")
def ops_lake(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("ops")
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp / "lake"), "LAKEHOUSE_LANDING": str(tmp / "landing")}
    )
    (tmp / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp / "home")) as instance:
        history = write_demo_history(instance, START)
        result = materialize_ops(settings, instance)
        yield OpsLake(settings, instance, history, DeltaStore(settings.root), result)


def home(ops_lake: OpsLake) -> Path:
    """The instance's home directory."""
    return Path(ops_lake.instance.root_directory)
