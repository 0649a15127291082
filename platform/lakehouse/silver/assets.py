"""Silver assets, generated from the source declarations."""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from lakehouse.bronze.assets import bronze_key
from lakehouse.lake.metadata import RawMetadataValue, table_rows, table_schema, write_metadata
from lakehouse.lake.resource import LakehouseResource
from lakehouse.landing.partitions import partition_day
from lakehouse.policy.assets import layer_asset
from lakehouse.quality.checks import blocked_failure, check_result, silver_check_specs
from lakehouse.quality.freshness import freshness_policy
from lakehouse.silver.refine import refine_partition
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import LANDING_DATE, SourceSpec


def silver_key(spec: SourceSpec) -> dg.AssetKey:
    """The asset key of a source's silver table."""
    return dg.AssetKey(["silver", spec.name])


def column_lineage(spec: SourceSpec) -> dg.TableColumnLineage:
    """Each silver column's bronze origin (derived columns: the columns their expression uses)."""
    bronze = bronze_key(spec)
    deps: dict[str, list[dg.TableColumnDep]] = {}
    for column in spec.columns:
        sources = (
            [column]
            if column.landed_name
            else [c for c in spec.columns if c.landed_name and c.name in (column.expr or "")]
        )
        deps[column.name] = [
            dg.TableColumnDep(asset_key=bronze, column_name=c.landed_name or c.name)
            for c in sources
        ]
    return dg.TableColumnLineage(deps_by_column=deps)


def _describe(spec: SourceSpec) -> str:
    if spec.kind == "fact":
        write = (
            f"One row per key, its latest version (by {spec.order_by or 'landing day'}, then "
            f"landing day, then ingestion time); every landing day's rows stay in "
            f"silver/{spec.name}_history, partitioned by {LANDING_DATE}"
        )
    else:
        write = f"Merged on {spec.keys} into current state (latest {spec.order_by} wins)"
    pii = f" PII masked: {', '.join(spec.pii_columns)}." if spec.pii_columns else ""
    return (
        f"{spec.description} Typed, validated against its contract (rejected rows go to "
        f"quarantine/{spec.name}), deduplicated on {spec.keys}. {write}.{pii}"
    )


def _column_schema(spec: SourceSpec) -> dg.TableSchema:
    schema = table_schema(silver_schema(spec), {c.name: c.description for c in spec.columns})
    by_name = {c.name: c for c in spec.columns}
    columns = []
    for column in schema.columns:
        declared = by_name.get(column.name)
        tags = {"pii": declared.pii} if declared and declared.pii else {}
        constraints = dg.TableColumnConstraints(
            nullable=declared.nullable and column.name not in spec.keys if declared else True,
            unique=column.name in spec.keys and len(spec.keys) == 1,
        )
        columns.append(
            dg.TableColumn(
                name=column.name,
                type=column.type,
                description=column.description,
                constraints=constraints,
                tags=tags,
            )
        )
    return dg.TableSchema(columns=columns)


def _reference_deps(spec: SourceSpec) -> list[dg.AssetKey]:
    tables = {c.references.split(".")[0] for c in spec.columns if c.references}
    return [dg.AssetKey(["silver", t]) for t in sorted(tables) if t != spec.name]


def materialize_silver(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, spec: SourceSpec
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The body of every silver asset: refine the day's bronze rows, audit, publish or block."""
    key = silver_key(spec)
    started = datetime.now(UTC)
    outcome = refine_partition(lakehouse.store(), spec, partition_day(context), lakehouse.pii_key)
    split = outcome.split
    metadata: dict[str, RawMetadataValue] = {
        "bronze_rows": split.bronze_rows,
        "published_rows": split.published.num_rows if not outcome.blocked else 0,
        "quarantined_rows": split.quarantined.num_rows,
        "duplicates_removed": split.duplicate_rows,
        "invalid_rows": split.invalid_rows,
        "quarantine_reasons": dg.MetadataValue.json(split.reasons),
    }
    if outcome.published is None:
        yield from (check_result(key, check) for check in outcome.outcomes)
        raise blocked_failure(key, outcome.outcomes, metadata)
    # Row count of what the asset now holds: a dimension's whole table (the day only merged
    # into it), a fact's partition of the day (its other rows may have moved to newer days).
    day = partition_day(context) if spec.kind == "fact" else None
    rows = table_rows(lakehouse.store(), key.path, day)
    metadata.update(write_metadata(outcome.published, split.published.schema, started, rows))
    yield dg.MaterializeResult(metadata=metadata)
    # After the materialisation, so the UI counts them against it (the latest one), not the
    # one before: evaluated before the publish (write-audit-publish), reported after it.
    yield from (check_result(key, check) for check in outcome.outcomes)


def build_silver_asset(
    spec: SourceSpec, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """The silver asset of ``spec``: one bronze partition typed, validated, deduplicated, masked."""

    @layer_asset(
        "silver",
        spec,
        deps=[bronze_key(spec), *_reference_deps(spec)],
        partitions_def=partitions,
        kinds={"delta", "duckdb"},
        description=_describe(spec),
        metadata={
            "dagster/column_schema": _column_schema(spec),
            "dagster/column_lineage": column_lineage(spec),
            "business_keys": dg.MetadataValue.json(spec.keys),
            "pii_columns": dg.MetadataValue.json(spec.pii_columns),
            "error_budget": spec.quality.error_budget,
        },
        check_specs=silver_check_specs(spec, silver_key(spec)),
        freshness_policy=freshness_policy(spec),
    )
    def silver_table(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
        yield from materialize_silver(context, lakehouse, spec)

    return silver_table
