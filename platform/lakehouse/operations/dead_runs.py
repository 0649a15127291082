"""Runs whose process is gone: found, marked failed and stripped of their concurrency slots.

A headless run killed with SIGKILL stays STARTED in the instance and keeps the slots of its
pools, so the next run on those tables would wait forever. Headless runs carry the host and
pid of their process (tags ``lakehouse/host``, ``lakehouse/pid``): on the same host a dead pid
proves the run dead. Other runs (another host, or launched by the daemon) are presumed dead
after ``stale_after_seconds`` without any event; run monitoring covers the launchers that can
check their workers (ECS).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

HOST_TAG = "lakehouse/host"
PID_TAG = "lakehouse/pid"
PID_START_TAG = "lakehouse/pid_start"
LIVE_STATUSES = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]


@dataclass(frozen=True)
class DeadRun:
    """A run marked failed by :func:`reap_dead_runs`, with the pools whose slots it held."""

    run_id: str
    pid: int | None
    reason: str
    pools: tuple[str, ...]

    def line(self) -> str:
        """One line for the operator."""
        pid = f"pid {self.pid}" if self.pid is not None else "no pid"
        pools = ", ".join(self.pools) if self.pools else "none"
        return (
            f"run {self.run_id} ({pid}) is dead ({self.reason}): marked failed, "
            f"freed slots of pools {pools}"
        )


def _process_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a reused pid from the original."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def headless_tags() -> dict[str, str]:
    """Tags that let a later run tell whether this process is still alive."""
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}
    start = _process_start(os.getpid())
    if start is not None:
        tags[PID_START_TAG] = start
    return tags


def _pid_is_alive(pid: int, start: str | None) -> bool:
    if pid == os.getpid():
        return False  # the pid was reused by this very process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    current = _process_start(pid)
    return start is None or current is None or current == start


def _last_activity(instance: dg.DagsterInstance, record: dg.RunRecord) -> float:
    records = instance.get_records_for_run(record.dagster_run.run_id, ascending=False, limit=1)
    times = [record.update_timestamp.timestamp()]
    times += [r.event_log_entry.timestamp for r in records.records]
    return max(times)


def death_reason(
    instance: dg.DagsterInstance, record: dg.RunRecord, stale_after_seconds: float
) -> str | None:
    """Why the run of ``record`` is dead, or None while it may be alive."""
    tags = record.dagster_run.tags
    pid = tags.get(PID_TAG)
    if pid and pid.isdigit() and tags.get(HOST_TAG) == socket.gethostname():
        if _pid_is_alive(int(pid), tags.get(PID_START_TAG)):
            return None
        return "its process is gone"
    idle = time.time() - _last_activity(instance, record)
    if idle > stale_after_seconds:
        return f"no event for {idle:.0f} s"
    return None


def pools_held(instance: dg.DagsterInstance, run_id: str) -> tuple[str, ...]:
    """The pools in which ``run_id`` holds or awaits a slot."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return ()
    names = [pool.name for pool in storage.get_pool_limits()]
    held = set()
    for name, info in storage.get_concurrency_infos(names).items():
        if any(slot.run_id == run_id for slot in info.claimed_slots) or any(
            step.run_id == run_id for step in info.pending_steps
        ):
            held.add(name)
    return tuple(sorted(held))


def free_run(instance: dg.DagsterInstance, run_id: str) -> tuple[str, ...]:
    """Free every slot ``run_id`` holds or awaits; returns the pools concerned."""
    pools = pools_held(instance, run_id)
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return pools


def reap_dead_runs(
    instance: dg.DagsterInstance, stale_after_seconds: float, exclude: str | None = None
) -> list[DeadRun]:
    """Mark failed every STARTED/STARTING run that is dead, free its slots; returns them."""
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=LIVE_STATUSES))
    reaped = []
    for record in records:
        run = record.dagster_run
        if run.run_id == exclude:
            continue
        reason = death_reason(instance, record, stale_after_seconds)
        if reason is None:
            continue
        instance.report_run_failed(run, f"Marked failed by lakehouse: {reason}.")
        pools = free_run(instance, run.run_id)
        pid = run.tags.get(PID_TAG)
        reaped.append(DeadRun(run.run_id, int(pid) if pid else None, reason, pools))
    return reaped
