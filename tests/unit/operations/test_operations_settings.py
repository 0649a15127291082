"""Operations settings: schedules stop in dev and run in staging/prod; knobs are validated."""

from __future__ import annotations

import pytest

from lakehouse.settings import SettingsError, load_settings

PROD = {
    "LAKEHOUSE_ENV": "prod",
    "LAKEHOUSE_ROOT": "s3://bucket/prod/lake",
    "LAKEHOUSE_LANDING": "s3://bucket/prod/landing",
    "LAKEHOUSE_PII_KEY": "k",
    "AWS_REGION": "eu-west-1",
}


def test_dev_stops_schedules_and_runs_sensors() -> None:
    ops = load_settings({}).operations
    assert not ops.schedules_running and ops.sensors_running
    assert ops.daily_cron == "0 2 * * *" and ops.rollback_window_days == 7
    assert not ops.alert_webhook_from_env


def test_production_runs_schedules() -> None:
    assert load_settings(PROD).operations.schedules_running


def test_switches_and_numbers_come_from_the_environment() -> None:
    ops = load_settings(
        {
            "LAKEHOUSE_SCHEDULES": "on",
            "LAKEHOUSE_SENSORS": "off",
            "LAKEHOUSE_SCHEDULE_CRON": "30  4 * * *",
            "LAKEHOUSE_DELIVERY_DEADLINE_HOURS": "1.5",
            "LAKEHOUSE_ROLLBACK_WINDOW_DAYS": "14",
            "LAKEHOUSE_DAGSTER_URL": "https://dagster.example.com/",
            "LAKEHOUSE_ALERT_WEBHOOK_URL": "https://hooks.example.com/x",
        }
    ).operations
    assert ops.schedules_running and not ops.sensors_running
    assert ops.daily_cron == "30 4 * * *"
    assert ops.delivery_deadline_hours == 1.5 and ops.rollback_window_days == 14
    assert ops.dagster_url == "https://dagster.example.com"
    assert ops.alert_webhook_from_env


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LAKEHOUSE_SCHEDULES", "maybe", "not a switch"),
        ("LAKEHOUSE_SCHEDULE_CRON", "daily", "not a cron expression"),
        ("LAKEHOUSE_ROLLBACK_WINDOW_DAYS", "0", "at least 1"),
        ("LAKEHOUSE_DELIVERY_DEADLINE_HOURS", "soon", "not a number"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}.*{message}"):
        load_settings({name: value})
