"""Run monitoring is on in both instances, valid against Dagster's schema, and never resumes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config

INSTANCES = Path(__file__).resolve().parents[3] / "infra" / "dagster"


@pytest.mark.parametrize("name", ["dagster.dev.yaml", "dagster.prod.yaml"])
def test_run_monitoring_is_on_and_never_resumes_a_dead_run(name: str) -> None:
    monitoring = yaml.safe_load((INSTANCES / name).read_text())["run_monitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["max_resume_run_attempts"] == 0
    assert monitoring["start_timeout_seconds"] > 0
    assert monitoring["poll_interval_seconds"] > 0
    assert monitoring["free_slots_after_run_end_seconds"] > 0


def test_dev_instance_validates_against_dagsters_schema(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text((INSTANCES / "dagster.dev.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    assert config["run_monitoring"]["enabled"] is True
