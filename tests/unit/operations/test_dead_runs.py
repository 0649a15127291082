"""Dead runs are found by their pid (same host) or their silence (elsewhere), marked failed and
stripped of their slots; a live run is left alone; a run waiting for a slot gives up in time."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import dagster as dg
import pytest

from lakehouse.operations.dead_runs import HOST_TAG, PID_TAG, headless_tags, reap_dead_runs
from lakehouse.operations.headless import _Headless
from lakehouse.operations.signals import SlotWait, StopRequest

from .runs import POOL, dead_pid, started_run


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def _claimed(instance: dg.DagsterInstance) -> list[str]:
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return [slot.run_id for slot in info.claimed_slots]


def test_a_killed_headless_run_is_marked_failed_and_its_slot_freed(
    instance: dg.DagsterInstance,
) -> None:
    instance.event_log_storage.set_concurrency_slots(POOL, 1)
    tags = {**headless_tags(), PID_TAG: str(dead_pid())}
    tags.pop("lakehouse/pid_start", None)
    run = started_run(instance, tags)

    (dead,) = reap_dead_runs(instance, stale_after_seconds=3600)

    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert _claimed(instance) == []
    assert dead.line() == (
        f"run {run.run_id} (pid {tags[PID_TAG]}) is dead (its process is gone): "
        f"marked failed, freed slots of pools {POOL}"
    )


def test_a_live_run_and_a_recent_foreign_run_are_left_alone(instance: dg.DagsterInstance) -> None:
    instance.event_log_storage.set_concurrency_slots(POOL, 2)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        here = headless_tags()[HOST_TAG]
        local = started_run(instance, {HOST_TAG: here, PID_TAG: str(live.pid)})
        assert reap_dead_runs(instance, stale_after_seconds=3600) == []
        foreign = started_run(instance, {HOST_TAG: "elsewhere", PID_TAG: "1"})
        assert reap_dead_runs(instance, stale_after_seconds=3600) == []
        (dead,) = reap_dead_runs(instance, stale_after_seconds=0)
        assert dead.run_id == foreign.run_id and "no event for" in dead.reason
        assert instance.get_run_by_id(local.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        live.kill()
        live.wait()


def test_a_slot_held_by_a_live_run_is_named_and_the_wait_gives_up(
    instance: dg.DagsterInstance, capsys: pytest.CaptureFixture[str]
) -> None:
    instance.event_log_storage.set_concurrency_slots(POOL, 1)
    holder = started_run(instance, {HOST_TAG: "elsewhere"})
    headless = _Headless(
        dg.Definitions(),
        instance,
        None,
        StopRequest(),
        slot_timeout_seconds=1.5,
        stale_after_seconds=3600,
    )

    error = headless.wait_for_pools([POOL], "2026-01-02")

    assert error is not None and f"pool {POOL} held by run {holder.run_id}" in error
    assert f"waiting for pool {POOL}, held by run {holder.run_id}" in capsys.readouterr().out


def test_a_run_waiting_inside_the_executor_is_reported_once_then_times_out(
    instance: dg.DagsterInstance, capsys: pytest.CaptureFixture[str]
) -> None:
    instance.event_log_storage.set_concurrency_slots(POOL, 1)
    holder = started_run(instance, {HOST_TAG: "elsewhere"})
    waiter = instance.create_run_for_job(dg.GraphDefinition("w").to_job())
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, waiter.run_id, "step")
    assert not claim.is_claimed
    wait = SlotWait([POOL], timeout_seconds=0)

    assert wait.check(instance, waiter.run_id, "day") is False  # starts the clock
    time.sleep(0.01)
    assert wait.check(instance, waiter.run_id, "day") is True
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"day  step waits for a slot of pool {POOL}, held by run {holder.run_id} "
        "(gives up after 0 s)"
    ]
