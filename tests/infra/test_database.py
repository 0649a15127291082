"""The Dagster instance database: private, encrypted, backed up, password never in Terraform."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import TerraformDir

Module = Callable[[str], TerraformDir]


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
def test_environments_keep_backups_and_deletion_protection(env, name: str) -> None:
    database = env(name).named("module")["database"]
    assert database["backup_retention_days"] >= 7
    assert database["deletion_protection"] is True


def test_prod_keeps_a_standby_in_a_second_zone(env) -> None:
    assert env("prod").named("module")["database"]["multi_az"] is True


def test_only_the_dagster_tasks_reach_the_database(module: Module) -> None:
    network = module("network")
    ingress = network.resources("aws_vpc_security_group_ingress_rule")
    to_database = [
        r for r in ingress.values() if r["security_group_id"] == "${aws_security_group.database.id}"
    ]
    assert len(to_database) == 1
    (rule,) = to_database
    assert rule["referenced_security_group_id"] == "${aws_security_group.tasks.id}"
    assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
    assert (rule["from_port"], rule["to_port"]) == (5432, 5432)


def test_no_security_group_rule_opens_anything_but_https_to_the_world(module: Module) -> None:
    network = module("network")
    for kind in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        for name, rule in network.resources(kind).items():
            if rule.get("cidr_ipv4") == "0.0.0.0/0":
                assert kind.endswith("egress_rule"), f"{name}: ingress from the internet"
                assert (rule["from_port"], rule["to_port"]) == (443, 443), name


def test_the_database_is_wired_to_its_security_group_and_private_subnets(env) -> None:
    for name in ("staging", "prod"):
        database = env(name).named("module")["database"]
        assert database["security_group_id"] == "${module.network.database_security_group_id}"
        assert database["subnet_ids"] == "${var.private_subnet_ids}"
