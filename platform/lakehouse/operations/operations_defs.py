"""Operational jobs launched by hand from the UI's Launchpad (rollback of a Delta table), and
the dead-run sensor."""

import dagster as dg

from lakehouse.operations.rollback_job import RollbackConfig, rollback_table
from lakehouse.operations.sensors import build_dead_runs_sensor


def build_operations_defs() -> dg.Definitions:
    """The operational jobs (they use the ``lakehouse`` resource of the main definitions) and
    the dead-run sensor."""
    return dg.Definitions(jobs=[rollback_table], sensors=[build_dead_runs_sensor()])


__all__ = ["RollbackConfig", "build_operations_defs", "rollback_table"]
