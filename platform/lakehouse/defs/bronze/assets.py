"""Bronze assets, generated from the source declarations."""

import time
from datetime import UTC, datetime

import dagster as dg

from lakehouse.defs.landing.assets import landing_key
from lakehouse.defs.metadata import table_schema, write_metadata
from lakehouse.defs.partitions import partition_day
from lakehouse.defs.resources import LakehouseResource
from lakehouse.sources import SourceSpec
from lakehouse.transform.bronze import LANDING_DATE, bronze_schema, to_bronze
from lakehouse.transform.landing import list_landing_files, read_landing_file


def bronze_key(spec: SourceSpec) -> dg.AssetKey:
    """The asset key of a source's bronze table."""
    return dg.AssetKey(["bronze", spec.name])


def build_bronze_asset(
    spec: SourceSpec, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """The bronze asset of ``spec``: the day's landing files, as landed, replacing its partition."""

    @dg.asset(
        key=bronze_key(spec),
        deps=[landing_key(spec)],
        partitions_def=partitions,
        group_name="bronze",
        kinds={"delta", "pyarrow"},
        owners=[spec.owner],
        pool=f"delta_bronze_{spec.name}",
        description=(
            f"{spec.description} Raw, every landed column as text, plus _source_file, "
            f"_ingested_at and {LANDING_DATE}. Partitioned by landing day."
        ),
        metadata={"dagster/column_schema": table_schema(bronze_schema(spec.landed_columns))},
    )
    def _bronze(
        context: dg.AssetExecutionContext, lakehouse: LakehouseResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        day = partition_day(context)
        options = lakehouse.storage_options
        uris = list_landing_files(lakehouse.landing, spec.landing, day, options)
        if not uris:
            raise dg.Failure(
                f"no landing files for {spec.name} on {day}: nothing matches "
                f"{lakehouse.landing}/{spec.landing.path.replace('{date}', day.isoformat())}. "
                "Deliver the files (or run `lakehouse generate`) and re-run the partition."
            )
        landed = [read_landing_file(u, spec.landing, spec.landed_columns, options) for u in uris]
        table = to_bronze(landed, day, datetime.now(UTC))
        result = lakehouse.store().replace_partition(
            bronze_key(spec).path, table, LANDING_DATE, day
        )
        metadata = write_metadata(result, table.schema, started)
        metadata["landed_files"] = dg.MetadataValue.json([f.uri for f in landed])
        metadata["landed_bytes"] = sum(f.size_bytes for f in landed)
        extra = sorted(set(table.column_names) - set(bronze_schema(spec.landed_columns).names))
        metadata["undeclared_columns"] = dg.MetadataValue.json(extra)
        return dg.MaterializeResult(metadata=metadata)

    return _bronze
