"""The one place platform policy meets an asset: key, group, owner, pool, retries, automation.

Every lakehouse table built from a source declaration (bronze and silver) is declared with
:func:`layer_asset`, so a change of policy (a retry budget, a pool naming rule, an automation
condition) is made here once, not in every layer's factory.
"""

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg

from lakehouse.policy.conditions import downstream_condition
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, retry_transient_only
from lakehouse.sources import SourceSpec

AUTOMATED_LAYERS = ("silver",)
"""Layers updated by declarative automation when their parents update (bronze follows files)."""
MAX_DAYS_PER_RUN = 31
"""A backfill runs each table over ranges of up to this many days, one run per range."""
BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=MAX_DAYS_PER_RUN)
"""Single-run backfills in chunks: a backfill of N days is ceil(N / 31) runs per table, each
refining its range in one pass (commits per chunk of rows, ``bronze.ranges``); a single
partition (the landing sensor's daily run) stays a run of its own."""
STEP_SECONDS_TAG = "lakehouse/step_seconds"
"""Op tag: the seconds a step costs besides the bytes it reads (a dbt build's set-up); the
threaded executor starts the longest chain of steps first by this estimate."""


def table_pool(key: dg.AssetKey) -> str:
    """The concurrency pool of a Delta table: one writer per table (``delta_<layer>_<name>``)."""
    return "delta_" + "_".join(key.path)


def pool_name(layer: str, spec: SourceSpec) -> str:
    """The concurrency pool of the ``layer`` table of ``spec``."""
    return table_pool(dg.AssetKey([layer, spec.name]))


def layer_asset(
    layer: str,
    spec: SourceSpec,
    *,
    deps: Sequence[dg.AssetKey],
    partitions_def: dg.PartitionsDefinition,
    kinds: set[str],
    description: str,
    metadata: Mapping[str, Any],
    check_specs: Sequence[dg.AssetCheckSpec],
    **attributes: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """``@dg.asset`` for the ``layer`` table of ``spec``, with the platform's policy applied.

    Key ``layer/name``, group ``layer``, the source's owner, its own pool, transient-only
    retries (other errors fail at once), backfills by range (``BACKFILL_POLICY``), and the
    downstream automation condition for automated layers. ``attributes`` pass through
    (e.g. ``freshness_policy``).
    """
    with warnings.catch_warnings():
        # backfill_policy is "beta" in dagster 1.13 (gold's dbt assets use it too): one line
        # per asset on every definitions load says nothing new.
        warnings.filterwarnings("ignore", "Parameter `backfill_policy`", dg.BetaWarning)
        decorate = dg.asset(
            key=dg.AssetKey([layer, spec.name]),
            deps=deps,
            partitions_def=partitions_def,
            group_name=layer,
            kinds=kinds,
            owners=[spec.owner],
            pool=pool_name(layer, spec),
            description=description,
            metadata=dict(metadata),
            check_specs=list(check_specs),
            retry_policy=TRANSIENT_RETRY_POLICY,
            backfill_policy=BACKFILL_POLICY,
            automation_condition=(
                downstream_condition(in_daily_job=True) if layer in AUTOMATED_LAYERS else None
            ),
            tags={"lakehouse/kind": spec.kind} if layer != "bronze" else None,
            **attributes,
        )

    def wrap(fn: Callable[..., Any]) -> dg.AssetsDefinition:
        return decorate(retry_transient_only(fn))

    return wrap
