"""The ML assets picked by ``lakehouse materialize --select``, run headless in lifecycle order.

The daily and gold jobs hold no ML asset, so ``materialize`` hands the ML keys of a selection
here: each daily ML asset runs once per landed day (one that backfills in a single run, like
the feature snapshots, once per range of consecutive days), each whole-history one once, in
the order the lifecycle needs (snapshots, labels, model, scores, drift, canary).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date

import dagster as dg
from dagster._core.utils import make_new_run_id

from lakehouse.ml.assets import CANARY, DRIFT, GROUP, LABELS, MODEL, SCORES, SNAPSHOTS
from lakehouse.operations.backfill import day_ranges, range_tags
from lakehouse.operations.dead_runs import headless_tags
from lakehouse.operations.failures import failure_text

LIFECYCLE = (SNAPSHOTS, LABELS, MODEL, SCORES, DRIFT, CANARY)
"""Every ML asset, upstream first."""
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def ml_keys(defs: dg.Definitions, keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The ML assets among ``keys``, in lifecycle order."""
    graph = defs.resolve_asset_graph()
    wanted = {k for k in keys if graph.has(k) and graph.get(k).group_name == GROUP}
    return [k for k in LIFECYCLE if k in wanted]


def materialize_ml(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    keys: Iterable[dg.AssetKey],
    days: list[date],
) -> list[str]:
    """Run the ML assets among ``keys`` in lifecycle order, the daily ones for each of
    ``days`` (or each range of them, for a single-run backfill policy); print one line per run
    and its failures. Returns the failed runs' labels.

    A step that fails stops the assets after it: they would read what it did not write.
    """
    graph = defs.resolve_asset_graph()
    failed: list[str] = []
    for key in ml_keys(defs, keys):
        job = defs.resolve_implicit_job_def_def_for_assets([key])
        assert job is not None, key
        node = graph.get(key)
        ranged = node.backfill_policy == dg.BackfillPolicy.single_run()
        spans = day_ranges(days) if ranged else [[d] for d in days]
        for span in spans if node.partitions_def is not None else [None]:
            name = key.to_user_string()
            if span is None:
                label, partition, tags = name, None, {}
            elif len(span) == 1:
                partition = span[0].isoformat()
                label, tags = f"{partition}  {name}", {}
            else:
                label, partition = f"{span[0]}..{span[-1]}  {name}", None
                tags = range_tags(span[0], span[-1])
            result = job.execute_in_process(
                partition_key=partition,
                instance=instance,
                asset_selection=[key],
                raise_on_error=False,
                run_config=_QUIET,
                run_id=make_new_run_id(),
                tags=headless_tags() | tags,
            )
            print(f"{label}  {'ok' if result.success else 'FAILED'}  run {result.run_id}")
            for event in result.all_events:
                if event.is_step_failure:
                    message = failure_text(event.step_failure_data).splitlines()[0]
                    print(f"    {event.step_key}: {message}", file=sys.stderr)
            if not result.success:
                failed.append(label)
        if failed:
            return failed
    return failed
