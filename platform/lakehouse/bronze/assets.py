"""Bronze assets, generated from the source declarations."""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from lakehouse.bronze.ingest import NoLandingFilesError, ingest_partition
from lakehouse.bronze.table import bronze_schema
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


def materialize_bronze(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, spec: SourceSpec
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """The body of every bronze asset: take the day's files in, check them, replace the day."""
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
    declared = set(bronze_schema(spec.landed_columns).names)
    metadata: dict[str, RawMetadataValue] = {
        "landed_rows": intake.landed_rows,
        "published_rows": intake.accepted_rows if not outcome.blocked else 0,
        "quarantined_rows": intake.rejected_rows,
        "landed_files": dg.MetadataValue.json([f.uri for f in intake.landed]),
        "rejected_files": dg.MetadataValue.json(
            [{"file": f.uri, "reason": f.reason} for f in intake.rejected]
        ),
        "undeclared_columns": dg.MetadataValue.json(
            sorted(set(outcome.table.column_names) - declared)
        ),
    }
    if outcome.published is None:
        yield from (check_result(key, check) for check in outcome.outcomes)
        raise blocked_failure(key, outcome.outcomes, metadata)
    metadata.update(write_metadata(outcome.published, outcome.table.schema, started))
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
        yield from materialize_bronze(context, lakehouse, spec)

    return bronze_table
