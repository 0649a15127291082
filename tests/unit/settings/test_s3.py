"""Settings for S3 locations: region, bucket names and a safe Delta commit, checked at start."""

from __future__ import annotations

import pytest

from lakehouse.settings import SettingsError, load_settings

PROD = {
    "LAKEHOUSE_ENV": "prod",
    "LAKEHOUSE_ROOT": "s3://acme-lake/prod/lake",
    "LAKEHOUSE_LANDING": "s3://acme-landing/prod/landing",
    "LAKEHOUSE_PII_KEY": "secret",
    "AWS_REGION": "eu-west-1",
}


def _with(**changes: str | None) -> dict[str, str]:
    environ = dict(PROD)
    for name, value in changes.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def test_s3_root_commits_with_conditional_writes_by_default() -> None:
    settings = load_settings(PROD)
    assert settings.storage_options["AWS_CONDITIONAL_PUT"] == "etag"
    assert settings.storage_options["AWS_REGION"] == "eu-west-1"


def test_explicit_etag_conditional_put_is_accepted_in_any_case() -> None:
    settings = load_settings(_with(AWS_CONDITIONAL_PUT="ETag"))
    assert settings.storage_options["AWS_CONDITIONAL_PUT"] == "etag"


def test_endpoint_and_credentials_pass_through_to_storage_options() -> None:
    settings = load_settings(
        _with(
            AWS_ENDPOINT_URL="http://127.0.0.1:9000",
            AWS_ALLOW_HTTP="true",
            AWS_ACCESS_KEY_ID="key",
            AWS_SECRET_ACCESS_KEY="secret",
        )
    )
    assert settings.storage_options["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert settings.storage_options["AWS_ALLOW_HTTP"] == "true"
    assert settings.storage_options["AWS_ACCESS_KEY_ID"] == "key"


def test_s3_root_without_region_names_aws_region() -> None:
    with pytest.raises(SettingsError, match=r"AWS_REGION is required because LAKEHOUSE_ROOT"):
        load_settings(_with(AWS_REGION=None))


def test_s3_landing_alone_also_needs_a_region() -> None:
    with pytest.raises(SettingsError, match=r"AWS_REGION .*LAKEHOUSE_LANDING"):
        load_settings(_with(AWS_REGION=None, LAKEHOUSE_ROOT="/data/lake"))


def test_aws_default_region_stands_in_for_aws_region() -> None:
    settings = load_settings(_with(AWS_REGION=None, AWS_DEFAULT_REGION="us-west-2"))
    assert settings.storage_options["AWS_REGION"] == "us-west-2"


def test_local_roots_need_no_region_and_get_no_s3_options() -> None:
    settings = load_settings(_with(AWS_REGION=None, LAKEHOUSE_ROOT="/l", LAKEHOUSE_LANDING="/d"))
    assert dict(settings.storage_options) == {}


@pytest.mark.parametrize(
    "bucket",
    ["Upper-Case", "ab", "under_score", "-leading-hyphen", "trailing-dot.", "two..dots", "x" * 64],
)
def test_malformed_root_bucket_names_lakehouse_root(bucket: str) -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_ROOT=.*not a valid S3 bucket name"):
        load_settings(_with(LAKEHOUSE_ROOT=f"s3://{bucket}/prod/lake"))


def test_ip_address_bucket_is_malformed() -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_ROOT=.*'192.168.1.1'"):
        load_settings(_with(LAKEHOUSE_ROOT="s3://192.168.1.1/lake"))


@pytest.mark.parametrize("root", ["s3://", "s3:///prod/lake"])
def test_s3_root_without_a_bucket_names_lakehouse_root(root: str) -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_ROOT=.*not a valid S3 bucket name"):
        load_settings(_with(LAKEHOUSE_ROOT=root))


def test_malformed_landing_bucket_names_lakehouse_landing() -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_LANDING=.*'Landing'"):
        load_settings(_with(LAKEHOUSE_LANDING="s3://Landing/prod"))


def test_dotted_bucket_names_are_valid() -> None:
    settings = load_settings(_with(LAKEHOUSE_ROOT="s3://acme.data-lake.eu/prod/lake"))
    assert settings.root == "s3://acme.data-lake.eu/prod/lake"


@pytest.mark.parametrize("value", ["disabled", "dynamo:delta_log", "none"])
def test_commits_without_conditional_writes_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match=r"AWS_CONDITIONAL_PUT=.*only safe"):
        load_settings(_with(AWS_CONDITIONAL_PUT=value))


def test_dynamodb_locking_provider_is_refused_as_unsupported() -> None:
    with pytest.raises(SettingsError, match=r"AWS_S3_LOCKING_PROVIDER='dynamodb'.*Unset it"):
        load_settings(_with(AWS_S3_LOCKING_PROVIDER="dynamodb"))


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_unsafe_rename_is_refused_in_every_environment(env: str) -> None:
    with pytest.raises(SettingsError, match=r"AWS_S3_ALLOW_UNSAFE_RENAME"):
        load_settings(_with(LAKEHOUSE_ENV=env, AWS_S3_ALLOW_UNSAFE_RENAME="true"))


def test_staging_checks_s3_like_prod() -> None:
    with pytest.raises(SettingsError, match="AWS_REGION"):
        load_settings(_with(LAKEHOUSE_ENV="staging", AWS_REGION=None))
