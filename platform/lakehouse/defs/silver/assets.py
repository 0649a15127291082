"""Silver assets, generated from the source declarations."""

import time

import dagster as dg

from lakehouse.defs.bronze.assets import bronze_key
from lakehouse.defs.metadata import table_schema, write_metadata
from lakehouse.defs.partitions import partition_day
from lakehouse.defs.resources import LakehouseResource
from lakehouse.lake import WriteResult
from lakehouse.sources import SourceSpec
from lakehouse.transform.bronze import LANDING_DATE
from lakehouse.transform.silver import silver_schema, to_silver


def silver_key(spec: SourceSpec) -> dg.AssetKey:
    """The asset key of a source's silver table."""
    return dg.AssetKey(["silver", spec.name])


def column_lineage(spec: SourceSpec) -> dg.TableColumnLineage:
    """Each silver column's bronze origin (derived columns: the columns their expression uses)."""
    bronze = bronze_key(spec)
    deps: dict[str, list[dg.TableColumnDep]] = {}
    for column in spec.columns:
        if column.landed_name:
            deps[column.name] = [
                dg.TableColumnDep(asset_key=bronze, column_name=column.landed_name)
            ]
        else:
            used = [c for c in spec.columns if c.landed_name and c.name in (column.expr or "")]
            deps[column.name] = [
                dg.TableColumnDep(asset_key=bronze, column_name=c.landed_name or c.name)
                for c in used
            ]
    return dg.TableColumnLineage(deps_by_column=deps)


def _describe(spec: SourceSpec) -> str:
    if spec.kind == "fact":
        write = f"Replaces its landing-day partition ({LANDING_DATE})"
    else:
        write = f"Merged on {spec.keys} into current state (latest {spec.order_by} wins)"
    pii = f" PII masked: {', '.join(spec.pii_columns)}." if spec.pii_columns else ""
    return f"{spec.description} Typed, deduplicated on {spec.keys}. {write}.{pii}"


def build_silver_asset(
    spec: SourceSpec, partitions: dg.PartitionsDefinition
) -> dg.AssetsDefinition:
    """The silver asset of ``spec``: one bronze partition typed, deduplicated and masked."""
    descriptions = {c.name: c.description for c in spec.columns}

    @dg.asset(
        key=silver_key(spec),
        deps=[bronze_key(spec)],
        partitions_def=partitions,
        group_name="silver",
        kinds={"delta", "duckdb"},
        owners=[spec.owner],
        pool=f"delta_silver_{spec.name}",
        tags={"lakehouse/kind": spec.kind},
        description=_describe(spec),
        metadata={
            "dagster/column_schema": table_schema(silver_schema(spec), descriptions),
            "dagster/column_lineage": column_lineage(spec),
            "business_keys": dg.MetadataValue.json(spec.keys),
            "pii_columns": dg.MetadataValue.json(spec.pii_columns),
        },
    )
    def _silver(
        context: dg.AssetExecutionContext, lakehouse: LakehouseResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        day = partition_day(context)
        store = lakehouse.store()
        bronze = store.read(bronze_key(spec).path, filter_column=LANDING_DATE, filter_value=day)
        silver = to_silver(bronze, spec, lakehouse.pii_key)
        key = silver_key(spec).path
        result: WriteResult
        if spec.kind == "fact":
            result = store.replace_partition(key, silver, LANDING_DATE, day)
        else:
            result = store.merge(key, silver, keys=spec.keys, newer_column=spec.order_by)
        metadata = write_metadata(result, silver.schema, started)
        metadata["bronze_rows"] = bronze.num_rows
        metadata["duplicates_removed"] = bronze.num_rows - silver.num_rows
        return dg.MaterializeResult(metadata=metadata)

    return _silver
