"""The one place platform policy meets an asset: key, group, owner, pool, retries, automation.

Every lakehouse table built from a source declaration (bronze and silver) is declared with
:func:`layer_asset`, so a change of policy (a retry budget, a pool naming rule, an automation
condition) is made here once, not in every layer's factory.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg

from lakehouse.policy.conditions import downstream_condition
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, retry_transient_only
from lakehouse.sources import SourceSpec

AUTOMATED_LAYERS = ("silver",)
"""Layers updated by declarative automation when their parents update (bronze follows files)."""


def pool_name(layer: str, spec: SourceSpec) -> str:
    """The concurrency pool of a table: one writer per Delta table (``delta_<layer>_<name>``)."""
    return f"delta_{layer}_{spec.name}"


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
    retries (other errors fail at once), and the downstream automation condition for
    automated layers. ``attributes`` pass through (e.g. ``freshness_policy``).
    """
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
        automation_condition=downstream_condition() if layer in AUTOMATED_LAYERS else None,
        tags={"lakehouse/kind": spec.kind} if layer != "bronze" else None,
        **attributes,
    )

    def wrap(fn: Callable[..., Any]) -> dg.AssetsDefinition:
        return decorate(retry_transient_only(fn))

    return wrap
