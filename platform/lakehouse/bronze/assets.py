"""Bronze assets, generated from the source declarations."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import dagster as dg

from lakehouse.bronze.ingest import NoLandingFilesError, ingest_partition
from lakehouse.bronze.intake import Intake
from lakehouse.bronze.ranges import ingest_range
from lakehouse.bronze.table import bronze_schema
from lakehouse.lake.memory import release_unused_memory
from lakehouse.lake.metadata import RawMetadataValue, table_schema, write_metadata
from lakehouse.lake.resource import LakehouseResource
from lakehouse.landing.assets import landing_key
from lakehouse.landing.partitions import partition_day
from lakehouse.policy.assets import layer_asset
from lakehouse.quality.checks import blocked_failure, bronze_check_specs, check_result
from lakehouse.sources import LANDING_DATE, SourceSpec


def bronze_key(spec: SourceSpec) -> dg.AssetKey:
    """The asset key of a source's bronze table."""
    return dg.AssetKey(["bronze", spec.name])


def run_days(context: dg.AssetExecutionContext) -> list[date]:
    """The run's landing days: its partition, or every day of its range (a backfill run)."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def _intake_metadata(
    intake: Intake, published: bool, columns: list[str], spec: SourceSpec
) -> dict[str, RawMetadataValue]:
    declared = set(bronze_schema(spec.landed_columns).names)
    return {
        "landed_rows": intake.landed_rows,
        "published_rows": intake.accepted_rows if published else 0,
        "quarantined_rows": intake.rejected_rows,
        "landed_files": dg.MetadataValue.json([f.uri for f in intake.landed]),
        "rejected_files": dg.MetadataValue.json(
            [{"file": f.uri, "reason": f.reason} for f in intake.rejected]
        ),
        "undeclared_columns": dg.MetadataValue.json(sorted(set(columns) - declared)),
    }


def _materialize_range(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, spec: SourceSpec
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """A range of days (a backfill run): one commit per chunk of days, checks per range."""
    key = bronze_key(spec)
    started = datetime.now(UTC)
    days = run_days(context)
    try:
        outcome = ingest_range(
            lakehouse.store(), lakehouse.landing, spec, days, started, lakehouse.storage_options
        )
    except NoLandingFilesError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    written = [(chunk, o.published) for chunk, o in outcome.chunks if o.published is not None]
    metadata = _intake_metadata(outcome.intake, not outcome.blocked, outcome.schema.names, spec)
    metadata |= {"days": len(days), "commits": len(written)}
    if outcome.blocked:
        metadata["published_days"] = dg.MetadataValue.json(
            [str(d) for chunk, _ in written for d in chunk]
        )
        yield from (check_result(key, check) for check in outcome.checks)
        raise blocked_failure(key, outcome.checks, metadata)
    rows = sum(result.rows for _, result in written)
    metadata.update(write_metadata(written[-1][1], outcome.schema, started, rows))
    metadata["landed_bytes"] = sum(f.size_bytes for f in outcome.intake.landed)
    yield dg.MaterializeResult(metadata=metadata)
    yield from (check_result(key, check) for check in outcome.checks)


def materialize_bronze(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, spec: SourceSpec
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The body of every bronze asset: take the day's files in, check them, replace the day.

    A run over a range of days (a backfill) takes them in as a range (``ingest_range``).
    """
    if len(context.partition_keys) > 1:
        yield from _materialize_range(context, lakehouse, spec)
        return
    key = bronze_key(spec)
    started = datetime.now(UTC)
    try:
        outcome = ingest_partition(
            lakehouse.store(),
            lakehouse.landing,
            spec,
            partition_day(context),
            started,
            lakehouse.storage_options,
        )
    except NoLandingFilesError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    intake = outcome.intake
    metadata = _intake_metadata(intake, not outcome.blocked, outcome.schema.names, spec)
    if outcome.published is None:
        yield from (check_result(key, check) for check in outcome.outcomes)
        raise blocked_failure(key, outcome.outcomes, metadata)
    metadata.update(write_metadata(outcome.published, outcome.schema, started))
    metadata["landed_bytes"] = sum(f.size_bytes for f in intake.landed)
    yield dg.MaterializeResult(metadata=metadata)
    # After the materialisation, so the UI counts them against it (the latest one), not the
    # one before: evaluated before the publish (write-audit-publish), reported after it.
    yield from (check_result(key, check) for check in outcome.outcomes)


def build_bronze_asset(
    spec: SourceSpec, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """The bronze asset of ``spec``: the day's landing files, as landed, replacing its partition."""

    @layer_asset(
        "bronze",
        spec,
        deps=[landing_key(spec)],
        partitions_def=partitions,
        kinds={"delta", "pyarrow"},
        description=(
            f"{spec.description} Raw, every landed column as text, plus _source_file, "
            f"_ingested_at and {LANDING_DATE}. Partitioned by landing day. Unreadable or "
            f"drifted files go to quarantine/{spec.name}_files."
        ),
        metadata={"dagster/column_schema": table_schema(bronze_schema(spec.landed_columns))},
        check_specs=bronze_check_specs(bronze_key(spec)),
    )
    def bronze_table(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
        try:
            yield from materialize_bronze(context, lakehouse, spec)
        finally:
            release_unused_memory()  # the next step's peak starts from here

    return bronze_table
