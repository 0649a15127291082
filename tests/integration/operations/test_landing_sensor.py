"""The landing sensor over a real landing folder: new, repeated, changed, late, incomplete."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, time
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.datagen import generate
from lakehouse.lake.filesystems import filesystem_for
from lakehouse.landing.partitions import daily_partitions
from lakehouse.operations.sensors import build_landing_sensor
from lakehouse.policy.conditions import WHOLE_DAY_RUN_TAGS
from lakehouse.sources import load_sources

from .conftest import S3Server, days_ago, lakehouse_defs, lakehouse_settings

SPECS = load_sources()
EVERY_SOURCE = ",".join(s.name for s in SPECS)


class Sensor:
    """The landing sensor evaluated tick after tick, carrying its cursor like the daemon."""

    def __init__(self, tmp_path: Path, instance: dg.DagsterInstance, **environ: str) -> None:
        self.settings = lakehouse_settings(tmp_path, **environ)
        partitions = daily_partitions(self.settings.start_date)
        self.sensor = build_landing_sensor(
            self.settings, SPECS, partitions, settle_seconds=0, clock=_within_today
        )
        self.defs = lakehouse_defs(self.settings)
        self.instance = instance
        self.cursor: str | None = None

    @property
    def landing(self) -> Path:
        return Path(self.settings.landing)

    def tick(self) -> dg.SensorExecutionData:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, definitions=self.defs
        )
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return result


def _within_today() -> datetime:
    """Now, held at the end of the day the tests count from (``days_ago``): a run of the suite
    that crosses midnight UTC still sees today's files as today's."""
    end = datetime.combine(days_ago(0), time.max, UTC)
    return min(datetime.now(UTC), end)


def _deliver(sensor: Sensor, n: int, seed: int = 7) -> None:
    generate(str(sensor.landing), days_ago(n), 1, 20, seed=seed)


def _requests(result: dg.SensorExecutionData) -> list[tuple[str, str]]:
    return [(r.partition_key, r.tags["lakehouse/sources"]) for r in result.run_requests or []]


@pytest.fixture
def sensor(tmp_path: Path, instance: dg.DagsterInstance) -> Sensor:
    return Sensor(tmp_path, instance)


def test_a_new_day_is_requested_once_then_never_again(sensor: Sensor) -> None:
    _deliver(sensor, 2)
    first = sensor.tick()
    assert _requests(first) == [(days_ago(2).isoformat(), EVERY_SOURCE)]
    request = first.run_requests[0]
    # The whole daily job, named asset by asset: automation recognises the run's own updates
    # only through its asset selection (a run without one would have its children run again).
    job = sensor.defs.resolve_job_def("daily_lakehouse")
    assert set(request.asset_selection or []) == set(job.asset_layer.selected_asset_keys)
    assert request.tags.items() >= WHOLE_DAY_RUN_TAGS.items()
    assert request.run_key.startswith(f"landing:{days_ago(2)}:")
    second = sensor.tick()
    assert second.run_requests == [] and "no new or changed files" in second.skip_message


def test_a_redelivered_file_reruns_its_source_with_a_new_run_key(sensor: Sensor) -> None:
    _deliver(sensor, 2)
    first = sensor.tick().run_requests[0]
    part = sorted((sensor.landing / "orders" / days_ago(2).isoformat()).glob("*.jsonl"))[0]
    part.write_text(part.read_text() + part.read_text().splitlines()[0] + "\n")
    rerun = sensor.tick().run_requests
    assert _requests(sensor.tick()) == []
    assert [(r.partition_key, r.tags["lakehouse/sources"]) for r in rerun] == [
        (days_ago(2).isoformat(), "orders")
    ]
    assert rerun[0].run_key != first.run_key
    assert set(rerun[0].asset_selection) == {
        dg.AssetKey(["bronze", "orders"]),
        dg.AssetKey(["silver", "orders"]),
    }


def test_late_and_out_of_order_days_each_run_once(sensor: Sensor) -> None:
    _deliver(sensor, 1)
    assert _requests(sensor.tick()) == [(days_ago(1).isoformat(), EVERY_SOURCE)]
    _deliver(sensor, 3)
    assert _requests(sensor.tick()) == [(days_ago(3).isoformat(), EVERY_SOURCE)]
    assert _requests(sensor.tick()) == []


def test_an_incomplete_delivery_waits_with_a_visible_reason(sensor: Sensor) -> None:
    _deliver(sensor, 2)
    shutil.rmtree(sensor.landing / "customers" / days_ago(2).isoformat())
    waiting = sensor.tick()
    assert waiting.run_requests == []
    assert f"{days_ago(2)}: incomplete delivery, waiting for customers" in waiting.skip_message
    _deliver(sensor, 2)  # the full delivery (same seed: the other files are identical)
    assert _requests(sensor.tick()) == [(days_ago(2).isoformat(), EVERY_SOURCE)]


def test_past_the_deadline_an_incomplete_day_runs_what_is_there(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    sensor = Sensor(tmp_path, instance, LAKEHOUSE_DELIVERY_DEADLINE_HOURS="0")
    _deliver(sensor, 2)
    shutil.rmtree(sensor.landing / "customers" / days_ago(2).isoformat())
    [request] = sensor.tick().run_requests
    assert request.tags["lakehouse/delivery"] == "partial"
    assert "customers" not in request.tags["lakehouse/sources"].split(",")
    assert dg.AssetKey(["bronze", "customers"]) not in request.asset_selection
    # Not the whole daily job: automation still carries its updates to the other assets.
    assert "lakehouse/run_scope" not in request.tags


def test_todays_files_wait_for_todays_partition(sensor: Sensor) -> None:
    _deliver(sensor, 0)
    result = sensor.tick()
    assert result.run_requests == []
    assert "waits for its partition" in result.skip_message


def test_the_requested_run_builds_the_day_into_silver(
    tmp_path: Path, sensor: Sensor, instance: dg.DagsterInstance
) -> None:
    _deliver(sensor, 2)
    [request] = sensor.tick().run_requests
    job = sensor.defs.resolve_job_def("daily_lakehouse")
    result = job.execute_in_process(
        partition_key=request.partition_key,
        tags=request.tags,
        instance=instance,
        asset_selection=[dg.AssetKey(["bronze", "orders"]), dg.AssetKey(["silver", "orders"])],
    )
    assert result.success
    assert request.partition_key in instance.get_materialized_partitions(
        dg.AssetKey(["silver", "orders"])
    )


def test_an_s3_landing_prefix_is_watched_the_same_way(
    tmp_path: Path, instance: dg.DagsterInstance, s3_server: S3Server, bucket: str
) -> None:
    landing = f"s3://{bucket}/landing"
    sensor = Sensor(tmp_path, instance, LAKEHOUSE_LANDING=landing, **s3_server.env)
    local = tmp_path / "generated"
    generate(str(local), days_ago(2), 1, 20, seed=7)
    filesystem, base = filesystem_for(landing, sensor.settings.storage_options)
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        with filesystem.open_output_stream(f"{base}/{path.relative_to(local)}") as out:
            out.write(path.read_bytes())
    assert _requests(sensor.tick()) == [(days_ago(2).isoformat(), EVERY_SOURCE)]
    assert _requests(sensor.tick()) == []
    orders = next(p for p in sorted(local.rglob("*.jsonl")) if p.parts[-3] == "orders")
    with filesystem.open_output_stream(f"{base}/{orders.relative_to(local)}") as out:
        out.write(orders.read_bytes() + orders.read_bytes().splitlines(keepends=True)[0])
    assert _requests(sensor.tick()) == [(days_ago(2).isoformat(), "orders")]


def test_sensors_run_by_default_and_a_setting_stops_them(tmp_path: Path) -> None:
    names = ("landing_sensor", "lakehouse_automation")
    on = lakehouse_defs(lakehouse_settings(tmp_path))
    off = lakehouse_defs(lakehouse_settings(tmp_path, LAKEHOUSE_SENSORS="off"))
    for name in names:
        assert on.get_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING
        assert off.get_sensor_def(name).default_status == dg.DefaultSensorStatus.STOPPED


def test_days_landing_together_share_the_run_slots_as_ranges(tmp_path: Path) -> None:
    """Three days delivered at once, one run slot: one run over the three days, which builds
    each day through gold."""
    one_slot = {
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {"max_concurrent_runs": 1},
        }
    }
    home = tmp_path / "dagster"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home), overrides=one_slot) as instance:
        sensor = Sensor(tmp_path, instance)
        for n in (4, 3, 2):
            _deliver(sensor, n)
        [request] = sensor.tick().run_requests
        first, last = days_ago(4).isoformat(), days_ago(2).isoformat()
        assert request.partition_key is None
        assert request.tags["dagster/asset_partition_range_start"] == first
        assert request.tags["dagster/asset_partition_range_end"] == last
        assert request.run_key.startswith(f"landing:{first}..{last}:")
        job = sensor.defs.resolve_job_def("daily_lakehouse")
        result = job.execute_in_process(
            tags=request.tags, instance=instance, asset_selection=request.asset_selection
        )
        assert result.success
        days = {first, days_ago(3).isoformat(), last}
        for key in (["silver", "orders"], ["gold", "orders_daily"]):
            assert days <= instance.get_materialized_partitions(dg.AssetKey(key))
        assert sensor.tick().run_requests == []
