"""Dagster on ECS: two webservers (full and --read-only) and one daemon as services, every run
its own task with the runs role, configuration as plain environment and secrets only from
Secrets Manager."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from .conftest import ENVS, INFRA, TerraformDir

Module = Callable[[str], TerraformDir]

PROD_INSTANCE = INFRA / "dagster" / "dagster.prod.yaml"
SECRETISH = ("PASSWORD", "SECRET", "TOKEN", "PII_KEY", "ACCESS_KEY")
RETIRED_COMMIT_SETTINGS = (
    "AWS_S3_LOCKING_PROVIDER",
    "AWS_S3_ALLOW_UNSAFE_RENAME",
    "DELTA_DYNAMO_TABLE_NAME",
)


def _task_definitions(module: Module) -> dict[str, dict[str, Any]]:
    return module("dagster_ecs").instances("aws_ecs_task_definition")


def _env_var_names(module: Module) -> set[str]:
    ecs = module("dagster_ecs")
    return set(ecs.locals["environment_values"]) | {s["name"] for s in ecs.locals["secrets"]}


def test_there_are_two_webservers_a_daemon_and_a_run_task_definition(module: Module) -> None:
    assert set(_task_definitions(module)) == {"webserver", "webserver_read_only", "daemon", "run"}
    services = module("dagster_ecs").instances("aws_ecs_service")
    assert set(services) == {"webserver", "webserver_read_only", "daemon"}


def _command(module: Module, task: str) -> list[str]:
    return module("dagster_ecs").locals["task_definitions"][task]["container"]["command"]


def test_the_viewers_webserver_is_read_only_and_the_operators_is_not(module: Module) -> None:
    full, read_only = _command(module, "webserver"), _command(module, "webserver_read_only")
    assert full[0] == read_only[0] == "dagster-webserver"
    assert "--read-only" in read_only
    assert "--read-only" not in full
    assert [a for a in read_only if a != "--read-only"] == full  # otherwise the same server


def test_each_webserver_registers_in_its_audiences_target_group(module: Module) -> None:
    ecs = module("dagster_ecs")
    services = ecs.locals["services"]
    assert {name for name, s in services.items() if s["load_balanced"]} == {
        "webserver",
        "webserver_read_only",
    }
    service = ecs.resources("aws_ecs_service")["this"]
    ((balancer,),) = [d.values() for d in service["dynamic"]]
    assert balancer["for_each"] == (
        "${each.value.load_balanced ? [var.webserver_target_group_arns[each.key]] : []}"
    )
    (content,) = balancer["content"]
    assert content["container_name"] == "${local.task_definitions[each.key].container.name}"
    assert content["container_port"] == "${var.webserver_port}"
    wired = module("platform").named("module")["dagster_ecs"]["webserver_target_group_arns"]
    assert wired == {
        "webserver": '${module.ui_access.target_group_arns["operators"]}',
        "webserver_read_only": '${module.ui_access.target_group_arns["viewers"]}',
    }


def test_every_container_starts_from_the_shared_defaults(module: Module) -> None:
    ecs = module("dagster_ecs")
    for name, task in _task_definitions(module).items():
        assert "merge(local.container_defaults" in task["container_definitions"], name
        assert "pid_mode" not in task, name  # never the host's process namespace
    for name, entry in ecs.locals["task_definitions"].items():
        assert not {"user", "privileged"} & set(entry["container"]), f"{name} overrides defaults"
    defaults = ecs.locals["container_defaults"]
    assert defaults["environment"] == "${local.environment}"
    assert defaults["secrets"] == "${local.secrets}"
    assert defaults["user"] not in {"0", "root"}
    assert defaults["privileged"] is False


def test_secrets_come_from_secrets_manager_arns(module: Module) -> None:
    secrets = {s["name"]: s["valueFrom"] for s in module("dagster_ecs").locals["secrets"]}
    assert secrets == {
        "LAKEHOUSE_PII_KEY": "${var.pii_key_secret_arn}",
        "DAGSTER_PG_PASSWORD": "${var.db_password_secret_arn}:password::",
        # The MLflow store's PostgreSQL URI holds its role's password: a secret, never plain.
        "LAKEHOUSE_MLFLOW_TRACKING_URI": "${var.mlflow_uri_secret_arn}",
    }


def test_no_secret_is_passed_as_a_plain_environment_value(module: Module) -> None:
    for name in module("dagster_ecs").locals["environment_values"]:
        assert not any(word in name for word in SECRETISH), name


def test_tasks_know_their_environment_lake_and_instance_database(module: Module) -> None:
    values = module("dagster_ecs").locals["environment_values"]
    assert values["LAKEHOUSE_ENV"] == "${var.environment}"
    assert values["LAKEHOUSE_ROOT"] == "${var.lake_uri}"
    assert values["LAKEHOUSE_LANDING"] == "${var.landing_uri}"
    for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB", "DAGSTER_PG_USER"):
        assert name in values


def test_tasks_commit_delta_with_conditional_writes_and_no_lock_settings(module: Module) -> None:
    names = _env_var_names(module)
    assert module("dagster_ecs").locals["environment_values"]["AWS_CONDITIONAL_PUT"] == "etag"
    # The platform refuses the first two at start; the table name is dead without them.
    assert not names & set(RETIRED_COMMIT_SETTINGS), names & set(RETIRED_COMMIT_SETTINGS)


@pytest.mark.parametrize("name", ENVS)
def test_environments_wire_the_lake_uris_and_secrets_into_the_tasks(
    env, module: Module, name: str
) -> None:
    assert env(name).named("module")["platform"]["environment"] == "${local.environment}"
    ecs = module("platform").named("module")["dagster_ecs"]
    assert ecs["environment"] == "${var.environment}"
    assert ecs["lake_uri"] == "${module.lake_storage.lake_uri}"
    assert ecs["landing_uri"] == "${module.lake_storage.landing_uri}"
    assert ecs["pii_key_secret_arn"] == "${module.secrets.pii_key_secret_arn}"
    assert ecs["db_password_secret_arn"] == "${module.secrets.dagster_database_secret_arn}"
    assert ecs["mlflow_uri_secret_arn"] == "${module.secrets.mlflow_tracking_uri_secret_arn}"


def test_each_component_runs_with_its_own_role(module: Module) -> None:
    ecs = module("platform").named("module")["dagster_ecs"]
    assert ecs["runs_role_arn"] == "${module.iam.runs_role_arn}"
    assert ecs["daemon_role_arn"] == "${module.iam.daemon_role_arn}"
    assert ecs["webserver_role_arn"] == "${module.iam.webserver_role_arn}"
    assert ecs["webserver_read_only_role_arn"] == "${module.iam.webserver_read_only_role_arn}"
    iam = module("platform").named("module")["iam"]
    assert iam["run_task_family"] == ecs["run_task_family"] == "${local.run_task_family}"
    assert iam["cluster_name"] == ecs["cluster_name"]


def test_every_run_is_a_task_with_the_runs_role(module: Module) -> None:
    tasks = _task_definitions(module)
    assert tasks["run"]["family"] == "${var.run_task_family}"
    assert tasks["run"]["task_role_arn"] == "${var.runs_role_arn}"
    assert tasks["daemon"]["task_role_arn"] == "${var.daemon_role_arn}"
    assert tasks["webserver"]["task_role_arn"] == "${var.webserver_role_arn}"
    assert tasks["webserver_read_only"]["task_role_arn"] == "${var.webserver_read_only_role_arn}"
    # EcsRunLauncher overrides the container named "run" and finds the definition by env var.
    ecs = module("dagster_ecs")
    assert "each.value.container" in tasks["run"]["container_definitions"]
    assert ecs.locals["task_definitions"]["run"]["container"]["name"] == "run"
    values = ecs.locals["environment_values"]
    assert values["DAGSTER_RUN_TASK_DEFINITION"] == "${var.run_task_family}"


def test_there_is_exactly_one_daemon_even_during_a_deployment(module: Module) -> None:
    daemon = module("dagster_ecs").instances("aws_ecs_service")["daemon"]
    assert daemon["desired_count"] == 1
    assert daemon["deployment_maximum_percent"] == 100


def test_services_run_in_private_subnets_without_public_ips(module: Module) -> None:
    for name, service in module("dagster_ecs").instances("aws_ecs_service").items():
        network = service["network_configuration"][0]
        assert network["assign_public_ip"] is False, name
        assert "${var.tasks_security_group_id}" in network["security_groups"], name


def test_every_task_logs_to_its_own_encrypted_log_group(module: Module) -> None:
    ecs = module("dagster_ecs")
    assert set(ecs.locals["log_groups"]) == {"webserver", "daemon", "runs"}
    group = ecs.resources("aws_cloudwatch_log_group")["this"]
    assert group["kms_key_id"] == "${var.kms_key_arn}"
    assert group["retention_in_days"] == "${var.log_retention_days}"


def _env_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if set(node) == {"env"} and isinstance(node["env"], str):
            yield node["env"]
        for value in node.values():
            yield from _env_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _env_refs(value)


def test_the_prod_instance_launches_runs_as_ecs_tasks_of_the_run_definition() -> None:
    instance = yaml.safe_load(PROD_INSTANCE.read_text())
    launcher = instance["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_aws.ecs", "EcsRunLauncher")
    config = launcher.get("config") or {}
    assert config.get("task_definition") == {"env": "DAGSTER_RUN_TASK_DEFINITION"}, (
        "EcsRunLauncher must start the Terraform-managed run task definition (runs role)"
    )
    assert config.get("container_name", "run") == "run"


def test_every_variable_the_prod_instance_reads_is_set_on_the_tasks(module: Module) -> None:
    wanted = set(_env_refs(yaml.safe_load(PROD_INSTANCE.read_text())))
    assert {"DAGSTER_PG_HOST", "DAGSTER_PG_PASSWORD"} <= wanted
    assert wanted <= _env_var_names(module), wanted - _env_var_names(module)


def test_the_ops_metrics_exporter_runs_beside_the_daemon(module: Module) -> None:
    """`lakehouse metrics serve` is a second, non-essential container of the daemon's task: same
    image, environment and secrets, its own log stream, listening on the metrics port."""
    ecs = module("dagster_ecs")
    tasks = ecs.locals["task_definitions"]
    (sidecar,) = tasks["daemon"]["sidecars"]
    assert sidecar["command"][:3] == ["lakehouse", "metrics", "serve"]
    assert sidecar["command"][3:] == [
        "--host",
        "0.0.0.0",
        "--port",
        "${tostring(var.metrics_port)}",
    ]
    assert sidecar["essential"] is False
    assert sidecar["portMappings"] == [{"containerPort": "${var.metrics_port}", "protocol": "tcp"}]
    assert all(
        "sidecars" not in tasks[name] for name in ("webserver", "webserver_read_only", "run")
    )
    body = ecs.resources("aws_ecs_task_definition")["this"]["container_definitions"]
    assert 'lookup(each.value, "sidecars", [])' in body
    assert "merge(local.container_defaults, container" in body
    assert "awslogs-stream-prefix = container.name" in body
