"""Runs for the dead-run tests: a STARTED run holding a pool slot, and a pid that is gone."""

import subprocess
import sys

import dagster as dg

POOL = "delta_silver_products"


def dead_pid() -> int:
    """The pid of a process that has already exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> dg.DagsterRun:
    """A run marked STARTED with ``tags``, holding one slot of ``POOL``."""
    run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), tags=tags)
    instance.handle_run_event(
        run.run_id, dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name)
    )
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, "silver__products")
    assert claim.is_claimed
    return run
