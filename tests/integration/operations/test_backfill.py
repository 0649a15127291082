"""``lakehouse backfill`` submits a real asset backfill to the instance, for the daemon to run."""

from __future__ import annotations

import io
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.execution.backfill import BulkActionStatus

from lakehouse.operations.backfill import (
    BackfillError,
    backfill_progress,
    progress_bar,
    submit_backfill,
    wait_for_backfill,
)

from .conftest import days_ago, lakehouse_defs, lakehouse_settings

SILVER_ORDERS = dg.AssetKey(["silver", "orders"])


@pytest.fixture
def defs(tmp_path: Path) -> dg.Definitions:
    return lakehouse_defs(lakehouse_settings(tmp_path))


def test_the_backfill_targets_every_selected_asset_for_every_day(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    backfill_id = submit_backfill(instance, defs, "group:silver", days_ago(3), days_ago(1))
    backfill = instance.get_backfill(backfill_id)
    assert backfill.status == BulkActionStatus.REQUESTED
    assert backfill.tags["lakehouse/trigger"] == "cli-backfill"
    graph = defs.resolve_asset_graph()
    target = backfill.get_asset_backfill_data(graph).target_subset
    silver = dg.AssetSelection.groups("silver").resolve(graph)
    assert set(backfill.asset_selection) == silver
    days = {days_ago(n).isoformat() for n in (1, 2, 3)}
    for key in silver:
        assert set(target.get_partitions_subset(key).get_partition_keys()) == days


def test_each_table_backfills_under_its_own_concurrency_pool(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in dg.AssetSelection.groups("bronze", "silver").resolve(graph):
        pools = defs.get_assets_def(key).node_def.pools
        assert pools == {f"delta_{key.path[0]}_{key.path[1]}"}


def test_progress_reads_the_backfill_from_the_instance(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    backfill_id = submit_backfill(instance, defs, "key:silver/orders", days_ago(2), days_ago(1))
    progress = backfill_progress(instance, defs, backfill_id)
    assert (progress.total, progress.materialized, progress.failed) == (2, 0, 0)
    assert progress_bar(progress, width=10) == "[----------] 0/2 materialised, 0 failed (REQUESTED)"
    instance.update_backfill(
        instance.get_backfill(backfill_id).with_status(BulkActionStatus.CANCELED)
    )
    out = io.StringIO()
    assert wait_for_backfill(instance, defs, backfill_id, out=out, sleep=lambda _: None).done
    assert "(CANCELED)" in out.getvalue()


@pytest.mark.parametrize(
    ("selection", "start", "end", "message"),
    [
        ("group:nothing", 2, 1, "matches no asset that can be materialised"),
        ("key:silver/orders", 1, 2, "before --start"),
        ("key:silver/orders", 1, 0, "not a partition of silver/orders"),
        ("key:landing/orders", 2, 1, "matches no asset that can be materialised"),
    ],
)
def test_a_bad_request_says_what_to_change(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    selection: str,
    start: int,
    end: int,
    message: str,
) -> None:
    with pytest.raises(BackfillError, match=message):
        submit_backfill(instance, defs, selection, days_ago(start), days_ago(end))
    assert instance.get_backfills() == []
