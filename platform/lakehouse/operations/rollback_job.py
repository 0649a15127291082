"""The ``rollback_table`` job: restore one Delta table to an earlier version, from the UI.

Open Jobs → rollback_table → Launchpad, fill in the table, a version or a timestamp and the
reason, and launch. The restore is a new Delta commit carrying the reason and user, and an
observation on the table's asset records it in the asset's event log.
"""

# No ``from __future__ import annotations``: Dagster reads the annotations of the op at runtime.

import dagster as dg
from pydantic import Field

from lakehouse.lake import TableNotFoundError, key_parts
from lakehouse.lake.resource import LakehouseResource
from lakehouse.operations.rollback import RollbackError, rollback


class RollbackConfig(dg.Config):
    """Which table to roll back, to when, and why (exactly one of version and timestamp)."""

    table: str = Field(description="Asset key of the table, 'layer/table', e.g. 'silver/orders'.")
    version: int | None = Field(
        default=None, description="Delta version to restore (see `lakehouse history`)."
    )
    timestamp: str | None = Field(
        default=None,
        description="Restore the last version at or before this ISO 8601 time (UTC if no offset).",
    )
    reason: str = Field(description="Why: kept in the table's Delta history.")


@dg.op(
    description="Restore a Delta table to an earlier version or point in time (Delta RESTORE).",
    tags={"kind": "delta"},
)
def restore_table(
    context: dg.OpExecutionContext, config: RollbackConfig, lakehouse: LakehouseResource
) -> None:
    """Run the rollback; a refusal (no such version, no reason) fails the run with the reason."""
    user = context.run.tags.get("user") or context.run.tags.get("dagster/user")
    try:
        key = key_parts(config.table)
        result = rollback(
            lakehouse.store(),
            key,
            version=config.version,
            timestamp=config.timestamp,
            reason=config.reason,
            user=user or lakehouse.user,
            extra_metadata={"lakehouse.dagster_run_id": context.run_id},
        )
    except (RollbackError, TableNotFoundError, ValueError) as exc:
        raise dg.Failure(description=str(exc)) from exc
    context.log.info(
        f"restored {result.table} to version {result.restored_version} "
        f"(was {result.previous_version}, now {result.version}): {result.reason}"
    )
    context.log_event(
        dg.AssetObservation(
            asset_key=dg.AssetKey(key),
            description=f"rolled back to version {result.restored_version}: {result.reason}",
            metadata=result.as_metadata(),
        )
    )


@dg.job(
    description=(
        "Roll a Delta table back to an earlier version or timestamp, with a reason on record. "
        "Launch from the Launchpad with ops.restore_table.config: table, version or timestamp, "
        "reason."
    ),
    tags={"lakehouse/operation": "rollback"},
)
def rollback_table() -> None:
    """Restore one table (see ``RollbackConfig``)."""
    restore_table()
