"""Silver assets, generated from the source declarations."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from lakehouse.bronze.assets import bronze_key, run_days
from lakehouse.bronze.days import RANGE_ROWS, chunk_days, combine_days
from lakehouse.lake import DeltaStore
from lakehouse.lake.memory import release_unused_memory
from lakehouse.lake.metadata import RawMetadataValue, table_rows, table_schema, write_metadata
from lakehouse.lake.resource import LakehouseResource
from lakehouse.lake.scratch import spool_folder
from lakehouse.policy.assets import layer_asset
from lakehouse.quality.audit import CheckOutcome
from lakehouse.quality.checks import blocked_failure, check_result, silver_check_specs
from lakehouse.quality.freshness import freshness_policy
from lakehouse.quality.trends import partition_row_counts
from lakehouse.silver.ranges import refine_range
from lakehouse.silver.refine import SilverOutcome, refine_partition
from lakehouse.silver.transform import SilverSplit, silver_schema
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
        if spec.type2:
            write += (
                f"; every version stays in silver/{spec.name}_history with valid_from/valid_to "
                f"(type 2, from {spec.order_by}), for point-in-time joins"
            )
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


def _split_metadata(splits: list[SilverSplit], blocked: bool) -> dict[str, RawMetadataValue]:
    reasons: Counter[str] = Counter()
    for split in splits:
        reasons.update(split.reasons)
    return {
        "bronze_rows": sum(s.bronze_rows for s in splits),
        "published_rows": 0 if blocked else sum(s.published_rows for s in splits),
        "quarantined_rows": sum(s.quarantined.num_rows for s in splits),
        "duplicates_removed": sum(s.duplicate_rows for s in splits),
        "invalid_rows": sum(s.invalid_rows for s in splits),
        "quarantine_reasons": dg.MetadataValue.json(dict(sorted(reasons.items()))),
    }


def _refine(
    store: DeltaStore, spec: SourceSpec, days: list[date], pii_key: str, spool: Path
) -> tuple[list[tuple[list[date], SilverOutcome]], list[CheckOutcome]]:
    """Refine ``days``: one day as a partition, more as ranges of days bounded in rows (a day
    over the bound alone, as a partition); stops at the first blocked chunk. The outcome of
    each chunk, and the checks of all of them. Large days park their rows in ``spool``."""
    rows = partition_row_counts(store, ["bronze", spec.name]) if len(days) > 1 else {}
    chunks: list[tuple[list[date], SilverOutcome]] = []
    for chunk in chunk_days(rows, days, RANGE_ROWS):
        if len(chunk) == 1:
            outcome = refine_partition(store, spec, chunk[0], pii_key, spool)
        else:
            outcome = refine_range(store, spec, chunk, pii_key)
        chunks.append((chunk, outcome))
        if outcome.blocked:
            break
    checks = combine_days({c[0]: o.outcomes for c, o in chunks}, unit="chunks")
    return chunks, checks


def materialize_silver(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, spec: SourceSpec
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The body of every silver asset: refine the day's bronze rows, audit, publish or block.

    A run over a range of days (a backfill) refines them as ranges (``refine_range``): one
    commit per table per chunk of days, the same tables as day by day.
    """
    key = silver_key(spec)
    started = datetime.now(UTC)
    days = run_days(context)
    store = lakehouse.store()
    with spool_folder(spec.name) as spool:
        yield from _publish(store, spec, key, days, lakehouse.pii_key, spool, started)


def _publish(
    store: DeltaStore,
    spec: SourceSpec,
    key: dg.AssetKey,
    days: list[date],
    pii_key: str,
    spool: Path,
    started: datetime,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    chunks, checks = _refine(store, spec, days, pii_key, spool)
    blocked = chunks[-1][1].blocked
    metadata = _split_metadata([o.split for _, o in chunks], blocked)
    if len(days) > 1:
        metadata |= {"days": len(days), "commits": len(chunks) - blocked}
    if blocked:
        if len(chunks) > 1:
            published = [str(d) for c, _ in chunks[:-1] for d in c]
            metadata["published_days"] = dg.MetadataValue.json(published)
        yield from (check_result(key, check) for check in checks)
        raise blocked_failure(key, checks, metadata)
    # Row count of what the asset now holds: a dimension's whole table (the days only merged
    # into it), a fact's partitions of the days (its other rows may have moved to newer days).
    if spec.kind == "fact":
        counts = partition_row_counts(store, list(key.path))
        rows = sum(counts.get(day, 0) for day in days)
    else:
        rows = table_rows(store, key.path)
    published = chunks[-1][1].published
    assert published is not None
    schema = chunks[-1][1].split.published.schema
    metadata.update(write_metadata(published, schema, started, rows))
    yield dg.MaterializeResult(metadata=metadata)
    # After the materialisation, so the UI counts them against it (the latest one), not the
    # one before: evaluated before the publish (write-audit-publish), reported after it.
    yield from (check_result(key, check) for check in checks)


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
        try:
            yield from materialize_silver(context, lakehouse, spec)
        finally:
            release_unused_memory()  # the next step's peak starts from here

    return silver_table
