"""A failed run reaches the webhook (a real HTTP receiver on 127.0.0.1) with asset, partition,
reason, the blocking checks that stopped it, and a link to the run."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

from lakehouse.datagen import generate
from lakehouse.operations.alerts import FRESHNESS_SENSOR, RUN_FAILURE_SENSOR, AlertWebhook

from .conftest import Receiver, days_ago, lakehouse_defs, lakehouse_settings

UI = "http://dagster.test:3000"


def _tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    cursor: str | None,
    webhook: AlertWebhook,
) -> dg.SensorExecutionData:
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"alert_webhook": webhook}
    )
    return sensor.evaluate_tick(context)


@pytest.fixture
def defs(tmp_path: Path) -> dg.Definitions:
    settings = lakehouse_settings(tmp_path)
    generate(settings.landing, days_ago(2), 1, 40, faults=["truncated_file"], seed=7)
    return lakehouse_defs(settings)


def _fail_orders(defs: dg.Definitions, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    result = defs.resolve_job_def("daily_lakehouse").execute_in_process(
        partition_key=days_ago(2).isoformat(),
        instance=instance,
        asset_selection=[dg.AssetKey(["bronze", "orders"]), dg.AssetKey(["silver", "orders"])],
        raise_on_error=False,
    )
    assert not result.success
    return result


def test_a_failed_run_is_posted_with_asset_partition_reason_and_link(
    defs: dg.Definitions, instance: dg.DagsterInstance, receiver: Receiver
) -> None:
    sensor = defs.get_sensor_def(RUN_FAILURE_SENSOR)
    webhook = AlertWebhook(url=receiver.url, dagster_url=UI)
    first = _tick(sensor, instance, None, webhook)
    run_id = _fail_orders(defs, instance).run_id
    _tick(sensor, instance, first.cursor, webhook)

    [payload] = receiver.posts
    assert "Run failed: daily_lakehouse" in payload["text"]
    blocks = str(payload["blocks"])
    assert "bronze/orders, silver/orders" in blocks  # planned, not materialised
    assert days_ago(2).isoformat() in blocks
    assert "bronze__orders: bronze/orders blocked, nothing published" in blocks
    assert "dagster._core" not in blocks  # the reason, not the exception path
    assert "check bronze/orders:landing_files_budget failed" in blocks
    assert f"<{UI}/runs/{run_id}|Open run {run_id[:8]} in Dagster>" in blocks


def test_without_a_webhook_url_alerts_are_off(
    defs: dg.Definitions, instance: dg.DagsterInstance, receiver: Receiver
) -> None:
    sensor = defs.get_sensor_def(RUN_FAILURE_SENSOR)
    first = _tick(sensor, instance, None, AlertWebhook())
    _fail_orders(defs, instance)
    _tick(sensor, instance, first.cursor, AlertWebhook())
    assert receiver.posts == []


def test_the_webhook_url_is_a_secret_read_through_envvar(tmp_path: Path) -> None:
    with_url = lakehouse_settings(tmp_path, LAKEHOUSE_ALERT_WEBHOOK_URL="https://hooks.test/x")
    assert isinstance(AlertWebhook.from_settings(with_url).url, dg.EnvVar)
    assert AlertWebhook.from_settings(lakehouse_settings(tmp_path)).url == ""


def _freshness(instance: dg.DagsterInstance, key: dg.AssetKey, old: str, new: str) -> None:
    """Record a freshness state change, as the daemon's freshness evaluation does."""
    instance._report_runless_asset_event(  # the daemon records it this way
        FreshnessStateChange(
            key=key,
            previous_state=FreshnessState(old),
            new_state=FreshnessState(new),
            state_change_timestamp=time.time(),
        )
    )


def test_a_missed_freshness_sla_is_posted_once(
    instance: dg.DagsterInstance, receiver: Receiver, tmp_path: Path
) -> None:
    defs = lakehouse_defs(lakehouse_settings(tmp_path))
    sensor = defs.get_sensor_def(FRESHNESS_SENSOR)
    webhook = AlertWebhook(url=receiver.url, dagster_url=UI)
    key = dg.AssetKey(["silver", "orders"])

    def tick(cursor: str | None) -> dg.SensorExecutionData:
        context = dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            definitions=defs,
            resources={"alert_webhook": webhook},
        )
        return sensor.evaluate_tick(context)

    _freshness(instance, key, "UNKNOWN", "PASS")
    cursor = tick(None).cursor
    assert receiver.posts == []
    _freshness(instance, key, "PASS", "FAIL")
    cursor = tick(cursor).cursor
    cursor = tick(cursor).cursor
    [payload] = receiver.posts
    assert "Missed freshness SLA: silver/orders" in payload["text"]
    assert f"<{UI}/assets/silver/orders|Open silver/orders in Dagster>" in str(payload["blocks"])
