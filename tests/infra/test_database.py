"""The Dagster instance database: private, encrypted, backed up, password never in Terraform;
Dagster connects as its own least-privileged role, never as the RDS master user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import INFRA, TerraformDir

Module = Callable[[str], TerraformDir]

BOOTSTRAP = INFRA / "dagster" / "postgres-bootstrap.sql"


def _instance(module: Module) -> dict[str, Any]:
    return module("database").resources("aws_db_instance")["this"]


def test_the_database_is_not_publicly_accessible(module: Module) -> None:
    assert _instance(module)["publicly_accessible"] is False


def test_storage_is_encrypted_with_the_environments_key(module: Module) -> None:
    db = _instance(module)
    assert db["storage_encrypted"] is True
    assert db["kms_key_id"] == "${var.kms_key_arn}"


def test_rds_generates_the_password_into_secrets_manager(module: Module) -> None:
    db = _instance(module)
    assert db["manage_master_user_password"] is True
    assert "password" not in db
    assert db["master_user_secret_kms_key_id"] == "${var.kms_key_arn}"


def test_backups_and_a_final_snapshot_are_kept(module: Module) -> None:
    db = _instance(module)
    assert db["backup_retention_period"] == "${var.backup_retention_days}"
    assert db["skip_final_snapshot"] is False
    assert db["deletion_protection"] == "${var.deletion_protection}"


def test_connections_must_use_tls(module: Module) -> None:
    group = module("database").resources("aws_db_parameter_group")["this"]
    assert {"name": "rds.force_ssl", "value": "1"} in group["parameter"]


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_environments_keep_backups_and_deletion_protection(env, module: Module, name: str) -> None:
    assert env(name).named("module")["platform"]["database_backup_retention_days"] >= 7
    database = module("platform").named("module")["database"]
    assert database["backup_retention_days"] == "${var.database_backup_retention_days}"
    assert database["deletion_protection"] is True


def test_prod_keeps_a_standby_in_a_second_zone(env, module: Module) -> None:
    assert env("prod").named("module")["platform"]["database_multi_az"] is True
    database = module("platform").named("module")["database"]
    assert database["multi_az"] == "${var.database_multi_az}"


def test_the_database_is_wired_to_its_security_group_and_private_subnets(env, module) -> None:
    for name in ("staging", "prod"):
        assert env(name).named("module")["platform"]["private_subnet_ids"] == (
            "${var.private_subnet_ids}"
        )
    database = module("platform").named("module")["database"]
    assert database["security_group_id"] == "${module.network.database_security_group_id}"
    assert database["subnet_ids"] == "${var.private_subnet_ids}"


def test_dagster_connects_as_its_own_role_not_the_master_user(module: Module) -> None:
    variables = module("database").named("variable")
    assert variables["dagster_username"]["default"] != variables["master_username"]["default"]
    (distinct,) = variables["dagster_username"]["validation"]
    assert "var.dagster_username != var.master_username" in distinct["condition"]
    outputs = module("database").named("output")
    assert outputs["dagster_username"]["value"] == "${var.dagster_username}"
    ecs = module("platform").named("module")["dagster_ecs"]
    assert ecs["db_username"] == "${module.database.dagster_username}"
    assert module("dagster_ecs").locals["environment_values"]["DAGSTER_PG_USER"] == (
        "${var.db_username}"
    )


def test_no_task_gets_the_master_secret(module: Module) -> None:
    wired = module("platform").named("module")
    assert wired["dagster_ecs"]["db_password_secret_arn"] == (
        "${module.secrets.dagster_database_secret_arn}"
    )
    for name, call in wired.items():
        for argument, value in call.items():
            assert "master_user_secret_arn" not in str(value), f"{name}.{argument}: {value}"
    ecs = module("dagster_ecs")
    assert not any("master" in name for name in ecs.named("variable"))


def test_the_dagster_role_has_its_own_secret_container(module: Module) -> None:
    secret = module("secrets").resources("aws_secretsmanager_secret")["dagster_database"]
    assert secret["kms_key_id"] == "${var.kms_key_arn}"
    assert not module("secrets").resources("aws_secretsmanager_secret_version")


def _bootstrap_sql() -> list[str]:
    """The bootstrap's statements and psql commands, without comments, lower-cased."""
    lines = [line.split("--", 1)[0].strip() for line in BOOTSTRAP.read_text().splitlines()]
    return [line.lower() for line in lines if line]


def test_the_bootstrap_creates_a_least_privileged_role() -> None:
    sql = _bootstrap_sql()
    (create,) = [line for line in sql if line.startswith("create role")]
    for attribute in ("nosuperuser", "nocreatedb", "nocreaterole", "noreplication", "login"):
        assert attribute in create.split(), attribute
    grants = [line for line in sql if line.startswith("grant")]
    assert grants == [
        'grant :"app_user" to current_user;',  # the master administers the role, not vice versa
        'grant connect, temporary on database :"dbname" to :"app_user";',
        'grant usage, create on schema public to :"app_user";',
    ]
    assert not any("rds_superuser" in line or "rds_iam" in line for line in sql)


def test_the_bootstrap_never_puts_the_password_into_sql() -> None:
    sql = _bootstrap_sql()
    assert not any("password" in line for line in sql if not line.startswith("\\")), (
        "a PASSWORD clause would land in the server log (log_statement = ddl)"
    )
    assert sql[-1] == "\\password :app_user"  # psql sends only the SCRAM hash
    assert "\\set on_error_stop on" in sql


def test_the_bootstrap_names_the_role_terraform_configures(module: Module) -> None:
    default = module("database").named("variable")["dagster_username"]["default"]
    assert f"-v app_user={default}" in BOOTSTRAP.read_text()
