"""The Dagster definitions: every asset built from the source declarations, for the environment."""

from pathlib import Path

import dagster as dg

from lakehouse.bronze.assets import build_bronze_asset
from lakehouse.gold.assets import build_gold_defs
from lakehouse.lake.resource import LakehouseResource
from lakehouse.landing.assets import landing_spec
from lakehouse.landing.partitions import daily_partitions, partition_start
from lakehouse.ml.defs import build_ml_defs
from lakehouse.observability.defs import build_observability_defs
from lakehouse.operations.automation import build_automation_defs
from lakehouse.operations.executor import threaded_executor
from lakehouse.operations.jobs import daily_job, gold_history_job
from lakehouse.operations.operations_defs import build_operations_defs
from lakehouse.operations.step_weights import landing_weights
from lakehouse.settings import Settings, load_settings
from lakehouse.silver.assets import build_silver_asset
from lakehouse.sources import SOURCES_DIR, load_sources


def build_definitions(settings: Settings) -> dg.Definitions:
    """All definitions for ``settings``' environment."""
    specs = load_sources(Path(settings.sources_dir) if settings.sources_dir else SOURCES_DIR)
    partitions = daily_partitions(partition_start(settings))
    assets: list[dg.AssetSpec | dg.AssetsDefinition] = []
    for spec in specs:
        assets.append(landing_spec(spec, settings.landing))
        assets.append(build_bronze_asset(spec, partitions))
        assets.append(build_silver_asset(spec, partitions))
    layers = dg.Definitions(
        # Steps run on threads of the run's process: on 2 cores a process per step (~2 s of
        # imports each) costs more than the parallelism between steps gains.
        executor=threaded_executor(
            landing_weights(settings.landing, specs, settings.storage_options)
        ),
        assets=assets,
        jobs=[daily_job(), gold_history_job()],
        resources={"lakehouse": LakehouseResource.from_settings(settings)},
    )
    return dg.Definitions.merge(
        layers,
        build_gold_defs(partitions),
        build_operations_defs(),
        build_automation_defs(settings, specs, partitions),
        build_observability_defs(settings),
        build_ml_defs(settings, partitions),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions Dagster loads (``dg dev``, ``dagster dev``, the daemon, run workers):
    settings are read here, when Dagster loads the code, never at import time."""
    return build_definitions(load_settings())
