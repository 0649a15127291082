"""Operational jobs launched by hand from the UI's Launchpad: rollback of a Delta table."""

import dagster as dg

from lakehouse.operations.rollback_job import RollbackConfig, rollback_table


def build_operations_defs() -> dg.Definitions:
    """The operational jobs; they use the ``lakehouse`` resource of the main definitions."""
    return dg.Definitions(jobs=[rollback_table])


__all__ = ["RollbackConfig", "build_operations_defs", "rollback_table"]
