"""The ``table_maintenance`` job: compaction, Z-order and vacuum of every Delta table.

One op per source and layer, in the same concurrency pool as the asset that writes those
tables (``delta_<layer>_<table>``), so maintenance never rewrites files under a running
writer. Results land as observations on the table's asset (files and bytes before and after)
and as op output metadata. Silver facts are Z-ordered by their business keys, limited to the
last ``Z_ORDER_DAYS`` day partitions: the day partition already prunes by date, and within a
day lookups and joins go by key (``order_items`` → ``orders`` on ``order_id``), so clustering
by key lets min/max statistics skip files once a day spans several files. Dimensions and
bronze are only compacted: they are small, read whole, or merged (which rewrites files anyway).
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from lakehouse.lake.catalog import discover_tables
from lakehouse.lake.maintenance import maintain_table
from lakehouse.lake.quarantine import quarantine_key
from lakehouse.lake.resource import LakehouseResource
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, retry_transient_only
from lakehouse.sources import LANDING_DATE, SourceSpec

MAINTENANCE_JOB = "table_maintenance"
Z_ORDER_DAYS = 8
"""Partitions Z-ordered per run: a week and a day of overlap."""

Table = tuple[list[str], tuple[str, ...]]


def _tables(spec: SourceSpec, layer: str) -> list[Table]:
    if layer == "bronze":
        return [(["bronze", spec.name], ()), (quarantine_key(spec.name, files=True), ())]
    z_order = tuple(spec.keys) if spec.kind == "fact" else ()
    return [(["silver", spec.name], z_order), (quarantine_key(spec.name), ())]


def _maintain(
    context: dg.OpExecutionContext,
    lakehouse: LakehouseResource,
    tables: list[Table],
    retention_days: int,
    observed_layers: tuple[str, ...] = ("bronze", "silver"),
) -> dg.Output:
    store = lakehouse.store()
    since = datetime.now(UTC).date() - timedelta(days=Z_ORDER_DAYS)
    results: dict[str, dg.MetadataValue] = {}
    for key, z_order in tables:
        name = "/".join(key)
        if not store.exists(key):
            context.log.info(f"{name}: no table yet, nothing to maintain")
            continue
        result = maintain_table(
            store.uri(key),
            lakehouse.storage_options,
            retention_days=retention_days,
            z_order=z_order,
            z_order_since=(LANDING_DATE, since) if z_order else None,
        )
        metadata = result.as_metadata()
        context.log.info(
            f"{name}: {result.files_before} -> {result.files_after} files, "
            f"{result.bytes_before} -> {result.bytes_after} bytes, "
            f"{result.files_vacuumed} vacuumed"
        )
        if key[0] in observed_layers:
            context.log_event(
                dg.AssetObservation(
                    asset_key=dg.AssetKey(key), description="table maintenance", metadata=metadata
                )
            )
        results[name] = dg.MetadataValue.json(metadata)
    return dg.Output(len(results), metadata=results)


def _source_op(spec: SourceSpec, layer: str, retention_days: int) -> dg.OpDefinition:
    tables = _tables(spec, layer)

    @dg.op(
        name=f"maintain_{layer}_{spec.name}",
        pool=f"delta_{layer}_{spec.name}",
        retry_policy=TRANSIENT_RETRY_POLICY,
        tags={"kind": "delta"},
        description=f"Compact{', Z-order' if tables[0][1] else ''} and vacuum "
        + ", ".join("/".join(k) for k, _ in tables),
    )
    @retry_transient_only
    def _op(context: dg.OpExecutionContext, lakehouse: LakehouseResource) -> dg.Output:
        return _maintain(context, lakehouse, tables, retention_days)

    return _op


def _other_tables_op(specs: list[SourceSpec], retention_days: int) -> dg.OpDefinition:
    declared = {
        "/".join(k)
        for spec in specs
        for layer in ("bronze", "silver")
        for k, _ in _tables(spec, layer)
    }

    @dg.op(
        name="maintain_other_tables",
        retry_policy=TRANSIENT_RETRY_POLICY,
        tags={"kind": "delta"},
        description="Compact and vacuum every other Delta table under the root (gold marts).",
    )
    @retry_transient_only
    def _op(context: dg.OpExecutionContext, lakehouse: LakehouseResource) -> dg.Output:
        found = discover_tables(lakehouse.root, lakehouse.storage_options)
        tables: list[Table] = [
            (name.split("."), ()) for name in found if name.replace(".", "/") not in declared
        ]
        return _maintain(context, lakehouse, tables, retention_days, observed_layers=())

    return _op


def build_maintenance_job(specs: list[SourceSpec], retention_days: int) -> dg.JobDefinition:
    """The job; ``retention_days`` is the rollback window vacuum never cuts into."""
    ops = [_source_op(s, layer, retention_days) for s in specs for layer in ("bronze", "silver")]
    ops.append(_other_tables_op(specs, retention_days))

    @dg.job(
        name=MAINTENANCE_JOB,
        executor_def=dg.in_process_executor,
        tags={"lakehouse/operation": "maintenance"},
        description=(
            f"Compact, Z-order (silver facts, by business key) and vacuum every Delta table; "
            f"vacuum keeps {retention_days} days of history (LAKEHOUSE_ROLLBACK_WINDOW_DAYS), "
            "so time travel and rollback inside that window keep working."
        ),
    )
    def table_maintenance() -> None:
        for op in ops:
            op()

    return table_maintenance
