"""Declarative automation: downstream updates follow healthy parents, never blocked ones, and a
run that already built a layer is not repeated by automation."""

# No ``from __future__ import annotations``: Dagster reads the asset context annotation.

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.datagen import generate
from lakehouse.operations.backfill import range_tags
from lakehouse.policy.conditions import WHOLE_DAY_RUN_TAGS, downstream_condition

from .conftest import days_ago, lakehouse_defs, lakehouse_settings

DAY = "2026-01-02"
PARTITIONS = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="UTC")
PARENT, CHILD = dg.AssetKey("parent"), dg.AssetKey("child")


@dg.asset(
    key=PARENT,
    partitions_def=PARTITIONS,
    check_specs=[dg.AssetCheckSpec("contract", asset=PARENT, blocking=True)],
    config_schema={"passes": bool},
)
def parent(context: dg.AssetExecutionContext):
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(check_name="contract", passed=context.op_config["passes"])


@dg.asset(
    key=CHILD, deps=[PARENT], partitions_def=PARTITIONS, automation_condition=downstream_condition()
)
def child() -> None:
    pass


class Automation:
    """Automation conditions evaluated tick after tick against one instance."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
        self.defs, self.instance, self.cursor = defs, instance, None

    def tick(self) -> dg.EvaluateAutomationConditionsResult:
        result = dg.evaluate_automation_conditions(
            defs=self.defs, instance=self.instance, cursor=self.cursor
        )
        self.cursor = result.cursor
        return result


def _materialize_parent(instance: dg.DagsterInstance, passes: bool) -> None:
    dg.materialize(
        [parent],
        partition_key=DAY,
        instance=instance,
        run_config={"ops": {"parent": {"config": {"passes": passes}}}},
        raise_on_error=False,
    )


def test_nothing_is_requested_over_a_parent_whose_blocking_check_failed(
    instance: dg.DagsterInstance,
) -> None:
    automation = Automation(dg.Definitions(assets=[parent, child]), instance)
    assert automation.tick().total_requested == 0
    _materialize_parent(instance, passes=False)
    assert DAY in instance.get_materialized_partitions(PARENT)
    assert automation.tick().total_requested == 0


def test_the_child_partition_follows_a_healthy_parent_exactly_once(
    instance: dg.DagsterInstance,
) -> None:
    automation = Automation(dg.Definitions(assets=[parent, child]), instance)
    automation.tick()
    _materialize_parent(instance, passes=True)
    assert automation.tick().get_requested_partitions(CHILD) == {DAY}
    assert automation.tick().total_requested == 0


def test_a_blocked_parent_that_recovers_releases_the_child(instance: dg.DagsterInstance) -> None:
    automation = Automation(dg.Definitions(assets=[parent, child]), instance)
    automation.tick()
    _materialize_parent(instance, passes=False)
    assert automation.tick().total_requested == 0
    _materialize_parent(instance, passes=True)
    assert automation.tick().get_requested_partitions(CHILD) == {DAY}


def _lakehouse(
    tmp_path: Path, instance: dg.DagsterInstance
) -> tuple[dg.Definitions, Automation, dg.JobDefinition, str]:
    """A lakehouse with one landed day, its automation ticked once, its daily job and that day."""
    settings = lakehouse_settings(tmp_path)
    day = days_ago(2)
    generate(settings.landing, day, 1, 20, seed=7)
    defs = lakehouse_defs(settings)
    automation = Automation(defs, instance)
    automation.tick()
    return defs, automation, defs.resolve_job_def("daily_lakehouse"), day.isoformat()


def test_silver_built_in_the_landing_run_is_not_requested_again(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    defs, automation, job, day = _lakehouse(tmp_path, instance)
    assert job.execute_in_process(partition_key=day, instance=instance).success
    result = automation.tick()
    graph = defs.resolve_asset_graph()
    requested = {
        k.to_user_string() for k in graph.get_all_asset_keys() if result.get_num_requested(k)
    }
    # Only the whole-history marts that read silver, which the daily job does not build,
    # follow the new day.
    assert requested == {"gold/customer_lifetime_value", "gold/customer_churn_feature_snapshots"}


def test_bronze_updated_outside_the_job_carries_silver_along(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    defs, automation, job, day = _lakehouse(tmp_path, instance)
    layers = [
        k
        for k in defs.resolve_asset_graph().get_all_asset_keys()
        if k.path[0] in ("bronze", "silver")
    ]
    assert job.execute_in_process(
        partition_key=day, instance=instance, asset_selection=layers
    ).success
    automation.tick()
    bronze_customers = dg.AssetKey(["bronze", "customers"])
    assert job.execute_in_process(
        partition_key=day, instance=instance, asset_selection=[bronze_customers]
    ).success
    result = automation.tick()
    graph = defs.resolve_asset_graph()
    requested = {k for k in graph.get_all_asset_keys() if result.get_num_requested(k)}
    # silver/customers and, in the same run, the silver facts whose foreign keys it checks.
    downstream = dg.AssetSelection.assets(dg.AssetKey(["silver", "customers"])).downstream()
    silver = downstream.resolve(graph) & dg.AssetSelection.groups("silver").resolve(graph)
    assert {k for k in requested if k.path[0] in ("bronze", "silver")} == silver
    assert all(result.get_requested_partitions(k) == {day} for k in requested)
    assert automation.tick().total_requested == 0


VIEW, MART = dg.AssetKey("view"), dg.AssetKey("mart")
view = dg.AssetSpec(VIEW, deps=[PARENT], group_name="staging")


@dg.asset(
    key=MART,
    deps=[PARENT, VIEW],
    partitions_def=PARTITIONS,
    automation_condition=downstream_condition(dg.AssetSelection.assets(VIEW)),
)
def mart() -> None:
    pass


def test_a_never_materialised_staging_view_does_not_hold_gold_back(
    instance: dg.DagsterInstance,
) -> None:
    automation = Automation(dg.Definitions(assets=[parent, view, mart]), instance)
    automation.tick()
    _materialize_parent(instance, passes=True)
    assert automation.tick().get_requested_partitions(MART) == {DAY}


def test_gold_carries_the_condition_that_ignores_staging(tmp_path: Path) -> None:
    defs = lakehouse_defs(lakehouse_settings(tmp_path))
    node = defs.resolve_asset_graph().get(dg.AssetKey(["gold", "orders_daily"]))
    assert node.automation_condition is not None
    assert node.automation_condition.get_label() == "downstream_of_healthy_parents"


@dg.asset(key=dg.AssetKey("fragile"), deps=[PARENT], partitions_def=PARTITIONS)
def fragile() -> None:
    raise RuntimeError("the run stops before this child is built")


FRAGILE_CHILD = dg.AssetKey("fragile")
FRAGILE_DEFS = dg.Definitions(
    assets=[
        parent,
        fragile.with_attributes(automation_condition=downstream_condition(in_daily_job=True)),
    ],
    jobs=[dg.define_asset_job("pair", selection=[PARENT, FRAGILE_CHILD])],
)
TWO_DAYS = {"2026-01-02", "2026-01-03"}


@pytest.mark.parametrize(
    ("tags", "built_again"),
    [({}, True), (WHOLE_DAY_RUN_TAGS, False)],
    ids=["other-run", "whole-day-run"],
)
def test_parent_updates_of_a_whole_day_run_over_a_range_never_trigger_its_assets(
    instance: dg.DagsterInstance, tags: dict[str, str], built_again: bool
) -> None:
    """What automation sees when a tick falls between a run's parent and child steps (the
    child neither updated nor in progress), for a run over two days that names both assets.
    Dagster recognises the run as having built the child only for the parent's latest
    materialisation (the other day is requested again); the whole-day tag covers every day."""
    # A real instance has events before its first tick (tag conditions need a previous cursor).
    instance.report_runless_asset_event(dg.AssetObservation(dg.AssetKey("elsewhere")))
    automation = Automation(FRAGILE_DEFS, instance)
    automation.tick()
    FRAGILE_DEFS.resolve_job_def("pair").execute_in_process(
        instance=instance,
        asset_selection=[PARENT, FRAGILE_CHILD],
        tags={**range_tags(date(2026, 1, 2), date(2026, 1, 3)), **tags},
        run_config={"ops": {"parent": {"config": {"passes": True}}}},
        raise_on_error=False,
    )
    assert instance.get_materialized_partitions(PARENT) >= TWO_DAYS
    requested = automation.tick().get_requested_partitions(FRAGILE_CHILD)
    assert bool(requested) is built_again
    assert requested <= TWO_DAYS
