"""The daemon's ``dead_runs`` sensor fails a STARTED run of this host whose pid is gone and frees
its slot; a run of another host, however silent, is left to run monitoring."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import dagster as dg
import pytest

from lakehouse.operations.dead_runs import HOST_TAG, PID_TAG, headless_tags
from lakehouse.operations.sensors import build_dead_runs_sensor

POOL = "delta_silver_products"


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 2)
        yield instance


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> dg.DagsterRun:
    run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), tags=tags)
    instance.handle_run_event(
        run.run_id, dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name)
    )
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, "silver__products")
    assert claim.is_claimed
    return run


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    run = instance.get_run_by_id(run_id)
    assert run is not None
    return run.status


def test_the_sensor_frees_a_dead_local_run_and_leaves_a_foreign_one(
    instance: dg.DagsterInstance,
) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = _started_run(instance, {HOST_TAG: headless_tags()[HOST_TAG], PID_TAG: str(gone.pid)})
    foreign = _started_run(instance, {HOST_TAG: "elsewhere", PID_TAG: "1"})
    sensor = build_dead_runs_sensor()
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    result = sensor(dg.build_sensor_context(instance=instance))

    assert isinstance(result, dg.SkipReason)
    assert f"run {dead.run_id} (pid {gone.pid}) is dead" in (result.skip_message or "")
    assert _status(instance, dead.run_id) == dg.DagsterRunStatus.FAILURE
    assert _status(instance, foreign.run_id) == dg.DagsterRunStatus.STARTED
    claimed = instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
    assert [slot.run_id for slot in claimed] == [foreign.run_id]
