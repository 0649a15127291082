"""The daemon's ``dead_runs`` sensor fails a STARTED run of this host whose pid is gone and frees
its slot; a run of another host, however silent, is left to run monitoring."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from tests.unit.operations.runs import POOL, dead_pid, started_run

from lakehouse.operations.dead_runs import HOST_TAG, PID_TAG, headless_tags
from lakehouse.operations.sensors import build_dead_runs_sensor


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 2)
        yield instance


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    run = instance.get_run_by_id(run_id)
    assert run is not None
    return run.status


def test_the_sensor_frees_a_dead_local_run_and_leaves_a_foreign_one(
    instance: dg.DagsterInstance,
) -> None:
    gone = dead_pid()
    dead = started_run(instance, {HOST_TAG: headless_tags()[HOST_TAG], PID_TAG: str(gone)})
    foreign = started_run(instance, {HOST_TAG: "elsewhere", PID_TAG: "1"})
    sensor = build_dead_runs_sensor()
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    result = sensor(dg.build_sensor_context(instance=instance))

    assert isinstance(result, dg.SkipReason)
    assert f"run {dead.run_id} (pid {gone}) is dead" in (result.skip_message or "")
    assert _status(instance, dead.run_id) == dg.DagsterRunStatus.FAILURE
    assert _status(instance, foreign.run_id) == dg.DagsterRunStatus.STARTED
    claimed = instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
    assert [slot.run_id for slot in claimed] == [foreign.run_id]
