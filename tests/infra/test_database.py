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
def test_environments_keep_backups_and_deletion_protection(env, module: Module, name: str) -> None:
    assert env(name).named("module")["platform"]["database_backup_retention_days"] >= 7
    database = module("platform").named("module")["database"]
    assert database["backup_retention_days"] == "${var.database_backup_retention_days}"
    assert database["deletion_protection"] is True


def test_prod_keeps_a_standby_in_a_second_zone(env, module: Module) -> None:
    assert env("prod").named("module")["platform"]["database_multi_az"] is True
    database = module("platform").named("module")["database"]
    assert database["multi_az"] == "${var.database_multi_az}"


def _rules(network: TerraformDir) -> dict[str, dict[str, Any]]:
    """Every security group rule by name, with its direction: the fixed rules from their tables
    (after checking both rule resources render the table as it reads) and the UI rules."""
    rules: dict[str, dict[str, Any]] = {}
    for direction in ("ingress", "egress"):
        resource = network.resources(f"aws_vpc_security_group_{direction}_rule")["this"]
        assert resource["for_each"] == f"${{local.{direction}_rules}}"
        assert resource["security_group_id"] == "${aws_security_group.this[each.value.group].id}"
        assert resource["cidr_ipv4"] == "${each.value.cidr_ipv4}"
        assert resource["from_port"] == resource["to_port"] == "${each.value.port}"
        peer = resource["referenced_security_group_id"]
        assert peer.endswith(": aws_security_group.this[each.value.peer].id}"), peer
        for name, rule in network.locals[f"{direction}_rules"].items():
            rules[name] = {**rule, "direction": direction}
    ui = network.resources("aws_vpc_security_group_ingress_rule")["webserver"]
    assert ui["security_group_id"] == '${aws_security_group.this["webserver"].id}'
    rules["webserver"] = {
        "direction": "ingress",
        "group": "webserver",
        "port": ui["from_port"],
        "cidr_ipv4": ui["cidr_ipv4"],  # each of var.webserver_ingress_cidrs
        "peer": None,
    }
    return rules


def test_only_the_dagster_tasks_reach_the_database(module: Module) -> None:
    rules = _rules(module("network")).values()
    to_database = [r for r in rules if (r["direction"], r["group"]) == ("ingress", "database")]
    assert len(to_database) == 1
    (rule,) = to_database
    assert rule["peer"] == "tasks"
    assert rule["cidr_ipv4"] is None and "cidr_ipv6" not in rule
    assert rule["port"] == 5432


def test_no_security_group_rule_opens_anything_but_https_to_the_world(module: Module) -> None:
    for name, rule in _rules(module("network")).items():
        if rule.get("cidr_ipv4") == "0.0.0.0/0":
            assert rule["direction"] == "egress", f"{name}: ingress from the internet"
            assert rule["port"] == 443, name


def test_the_database_is_wired_to_its_security_group_and_private_subnets(env, module) -> None:
    for name in ("staging", "prod"):
        assert env(name).named("module")["platform"]["private_subnet_ids"] == (
            "${var.private_subnet_ids}"
        )
    database = module("platform").named("module")["database"]
    assert database["security_group_id"] == "${module.network.database_security_group_id}"
    assert database["subnet_ids"] == "${var.private_subnet_ids}"
