"""Settings: environment variables in, one validated object out."""

from __future__ import annotations

from datetime import date

import pytest

from lakehouse.settings import Environment, SettingsError, load_settings, project_dir


def test_dev_defaults_are_per_user_under_the_checkout() -> None:
    settings = load_settings({"LAKEHOUSE_USER": "Alice.Smith"})
    assert settings.env is Environment.DEV
    assert settings.user == "alice_smith"
    assert settings.root == str(project_dir() / ".lakehouse" / "dev" / "alice_smith")
    assert settings.landing == str(project_dir() / ".lakehouse" / "landing")
    assert settings.is_local
    assert not settings.pii_key_from_env


def test_two_developers_never_share_a_root() -> None:
    alice = load_settings({"LAKEHOUSE_USER": "alice"})
    bob = load_settings({"LAKEHOUSE_USER": "bob"})
    assert alice.root != bob.root


def test_explicit_root_and_landing_win() -> None:
    settings = load_settings(
        {
            "LAKEHOUSE_ROOT": "/data/lake/",
            "LAKEHOUSE_LANDING": "/data/landing",
            "LAKEHOUSE_START_DATE": "2026-03-01",
        }
    )
    assert settings.root == "/data/lake"
    assert settings.landing == "/data/landing"
    assert settings.start_date == date(2026, 3, 1)


def test_unknown_environment_names_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_ENV='qa'.*dev, staging, prod"):
        load_settings({"LAKEHOUSE_ENV": "qa"})


@pytest.mark.parametrize("missing", ["LAKEHOUSE_ROOT", "LAKEHOUSE_LANDING", "LAKEHOUSE_PII_KEY"])
def test_prod_requires_explicit_locations_and_key(missing: str) -> None:
    environ = {
        "LAKEHOUSE_ENV": "prod",
        "LAKEHOUSE_ROOT": "s3://bucket/prod/lake",
        "LAKEHOUSE_LANDING": "s3://bucket/prod/landing",
        "LAKEHOUSE_PII_KEY": "secret",
    }
    del environ[missing]
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ)


def test_prod_settings_are_s3_with_storage_options() -> None:
    settings = load_settings(
        {
            "LAKEHOUSE_ENV": "PROD",
            "LAKEHOUSE_ROOT": "s3://bucket/prod/lake",
            "LAKEHOUSE_LANDING": "s3://bucket/prod/landing",
            "LAKEHOUSE_PII_KEY": "secret",
            "AWS_REGION": "eu-west-1",
            "UNRELATED": "x",
        }
    )
    assert settings.env is Environment.PROD
    assert not settings.is_local
    assert settings.pii_key_from_env
    assert dict(settings.storage_options) == {
        "AWS_REGION": "eu-west-1",
        "AWS_CONDITIONAL_PUT": "etag",
    }


def test_bad_start_date_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="LAKEHOUSE_START_DATE"):
        load_settings({"LAKEHOUSE_START_DATE": "yesterday"})


@pytest.mark.parametrize(
    ("raw", "limit"),
    [("", "3GB"), ("800mb", "800MB"), ("2.5 GiB", "2.5GiB"), ("25%", "25%"), (" 4GB ", "4GB")],
)
def test_the_duckdb_memory_limit_is_an_amount_or_a_share(raw: str, limit: str) -> None:
    settings = load_settings({"LAKEHOUSE_DUCKDB_MEMORY_LIMIT": raw})
    assert settings.duckdb_memory_limit == limit


@pytest.mark.parametrize("raw", ["lots", "0GB", "3", "120%", "-1GB", "3 GB;DROP"])
def test_a_bad_duckdb_memory_limit_says_what_to_set(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_DUCKDB_MEMORY_LIMIT=.*such as 3GB"):
        load_settings({"LAKEHOUSE_DUCKDB_MEMORY_LIMIT": raw})
