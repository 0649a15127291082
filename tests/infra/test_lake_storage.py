"""S3: every bucket versioned, encrypted, private and self-cleaning; no Delta lock table."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import MODULES, TERRAFORM, TerraformDir, load_dir

Module = Callable[[str], TerraformDir]

BUCKET_SETTINGS = (
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_lifecycle_configuration",
)


def _settings_for(storage: TerraformDir, type_: str, bucket: str) -> list[dict]:
    ref = f"${{aws_s3_bucket.{bucket}.id}}"
    return [body for body in storage.instances(type_).values() if body["bucket"] == ref]


def test_the_storage_module_declares_the_lake_and_its_access_log_bucket(module: Module) -> None:
    assert set(module("lake_storage").resources("aws_s3_bucket")) == {"lake", "access_logs"}


def test_no_other_module_creates_buckets(module: Module) -> None:
    owners = [name for name in MODULES if module(name).resources("aws_s3_bucket")]
    assert owners == ["lake_storage"]


@pytest.mark.parametrize("setting", BUCKET_SETTINGS)
def test_every_bucket_has_exactly_one(module: Module, setting: str) -> None:
    storage = module("lake_storage")
    for bucket in storage.resources("aws_s3_bucket"):
        assert len(_settings_for(storage, setting, bucket)) == 1, f"{bucket}: {setting}"


def test_every_bucket_keeps_versions(module: Module) -> None:
    storage = module("lake_storage")
    for bucket in storage.resources("aws_s3_bucket"):
        (versioning,) = _settings_for(storage, "aws_s3_bucket_versioning", bucket)
        assert versioning["versioning_configuration"][0]["status"] == "Enabled", bucket


def test_every_bucket_blocks_all_public_access(module: Module) -> None:
    storage = module("lake_storage")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls")
    for bucket in storage.resources("aws_s3_bucket"):
        (block,) = _settings_for(storage, "aws_s3_bucket_public_access_block", bucket)
        assert all(block[f] is True for f in (*flags, "restrict_public_buckets")), bucket


def test_every_bucket_expires_noncurrent_versions(module: Module) -> None:
    storage = module("lake_storage")
    for bucket in storage.resources("aws_s3_bucket"):
        (lifecycle,) = _settings_for(storage, "aws_s3_bucket_lifecycle_configuration", bucket)
        enabled = [r for r in lifecycle["rule"] if r["status"] == "Enabled"]
        assert any(r.get("noncurrent_version_expiration") for r in enabled), bucket


def test_every_bucket_is_encrypted_and_the_lake_with_the_environments_kms_key(
    module: Module,
) -> None:
    storage = module("lake_storage")
    for bucket in storage.resources("aws_s3_bucket"):
        (sse,) = _settings_for(
            storage, "aws_s3_bucket_server_side_encryption_configuration", bucket
        )
        default = sse["rule"][0]["apply_server_side_encryption_by_default"][0]
        assert default["sse_algorithm"] in {"aws:kms", "AES256"}, bucket
    (lake,) = _settings_for(storage, "aws_s3_bucket_server_side_encryption_configuration", "lake")
    default = lake["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["sse_algorithm"] == "aws:kms"
    assert default["kms_master_key_id"] == "${var.kms_key_arn}"


def test_the_lake_bucket_refuses_plain_http(module: Module) -> None:
    storage = module("lake_storage")
    (deny,) = storage.statements("bucket")  # the lake's policy: no other documents merged in
    assert storage.locals["buckets"]["lake"]["extra_bucket_policy_documents"] == []
    assert deny.effect == "Deny"
    assert deny.condition_values("aws:SecureTransport") == ["false"]
    policy = storage.instances("aws_s3_bucket_policy")["lake"]
    assert policy["bucket"] == "${aws_s3_bucket.lake.id}"
    assert policy["policy"] == '${data.aws_iam_policy_document.bucket["lake"].json}'


def test_the_lake_layout_is_env_lake_and_env_landing(module: Module) -> None:
    storage = module("lake_storage")
    assert storage.locals["lake_prefix"] == "${var.environment}/lake"
    assert storage.locals["landing_prefix"] == "${var.environment}/landing"
    outputs = storage.named("output")
    assert outputs["lake_uri"]["value"] == "s3://${aws_s3_bucket.lake.id}/${local.lake_prefix}"
    assert (
        outputs["landing_uri"]["value"] == "s3://${aws_s3_bucket.lake.id}/${local.landing_prefix}"
    )


def test_no_module_creates_a_dynamodb_table_now_that_commits_use_conditional_writes(
    module: Module,
) -> None:
    owners = [name for name in MODULES if module(name).resources("aws_dynamodb_table")]
    assert owners == []


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_each_environment_gets_its_own_bucket_and_prefixes(env, name: str) -> None:
    root = env(name)
    assert root.locals["environment"] == name
    assert root.named("module")["platform"]["environment"] == "${local.environment}"
    platform = load_dir(TERRAFORM / "modules" / "platform")
    assert platform.locals["name"] == "lakehouse-${var.environment}"
    storage = platform.named("module")["lake_storage"]
    assert storage["environment"] == "${var.environment}"
    assert "${local.name}" in platform.locals["bucket_name"]
