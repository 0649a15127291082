"""IAM: runs touch only their environment's prefixes, analysts only read gold, the daemon
can launch and stop run tasks and pass exactly the run roles."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import Statement, TerraformDir

Module = Callable[[str], TerraformDir]

LAKE_OBJECTS = "${var.bucket_arn}/${var.lake_prefix}/*"
LANDING_OBJECTS = "${var.bucket_arn}/${var.landing_prefix}/*"
GOLD_OBJECTS = "${var.bucket_arn}/${var.lake_prefix}/gold/*"
BUCKET = "${var.bucket_arn}"


def _allowed(iam: TerraformDir) -> list[tuple[str, Statement]]:
    return [
        (document, s)
        for document in iam.policy_documents()
        for s in iam.statements(document)
        if s.effect == "Allow"
    ]


def test_every_policy_entry_is_rendered_as_written(module: Module) -> None:
    """The statements the tests below read from local.policies are what the document renders."""
    iam = module("iam")
    document = iam.data("aws_iam_policy_document")["this"]
    assert document["for_each"] == "${local.policies}"
    ((statement,),) = [d.values() for d in document["dynamic"]]
    assert statement["for_each"] == "${each.value}"
    (content,) = statement["content"]
    for field in ("sid", "actions", "resources"):
        assert content[field] == f"${{statement.value.{field}}}", field
    assert "effect" not in content  # every entry is an Allow
    ((condition,),) = [d.values() for d in content["dynamic"]]
    assert condition["for_each"] == "${try(statement.value.condition, [])}"
    for field in ("test", "variable", "values"):
        assert condition["content"][0][field] == f"${{condition.value.{field}}}", field
    entry_fields = {f for entries in iam.locals["policies"].values() for e in entries for f in e}
    assert entry_fields <= {"sid", "actions", "resources", "condition"}, entry_fields
    roles = iam.instances("aws_iam_role_policy")
    assert set(roles) == set(iam.locals["task_roles"]) == set(iam.locals["policies"]) - {"analysts"}
    for name, policy in roles.items():
        assert policy["policy"] == f'${{data.aws_iam_policy_document.this["{name}"].json}}'
    analysts = iam.resources("aws_iam_policy")["analysts"]
    assert analysts["policy"] == '${data.aws_iam_policy_document.this["analysts"].json}'


def _s3(statement: Statement) -> list[str]:
    return [a for a in statement.actions if a.lower().startswith("s3:")]


def test_no_policy_grants_wildcard_actions(module: Module) -> None:
    for document, statement in _allowed(module("iam")):
        for action in statement.actions:
            assert action != "*" and not action.endswith(":*"), f"{document}: {action}"


def test_no_s3_grant_reaches_beyond_the_environments_prefixes(module: Module) -> None:
    allowed_objects = {LAKE_OBJECTS, LANDING_OBJECTS, GOLD_OBJECTS}
    for document, statement in _allowed(module("iam")):
        if not _s3(statement):
            continue
        for resource in statement.resources:
            assert resource != "*", f"{document}/{statement.sid}: S3 on *"
            assert resource in allowed_objects | {BUCKET}, f"{document}: {resource}"
            if resource == BUCKET:
                assert set(_s3(statement)) == {"s3:ListBucket"}, f"{document}/{statement.sid}"
                assert statement.condition_values("s3:prefix"), f"{document}: unscoped list"


def test_runs_read_and_write_exactly_lake_and_landing(module: Module) -> None:
    runs = module("iam").statements("runs")
    objects = {r for s in runs if "s3:PutObject" in s.actions for r in s.resources}
    assert objects == {LAKE_OBJECTS, LANDING_OBJECTS}
    (listing,) = [s for s in runs if "s3:ListBucket" in s.actions]
    assert set(listing.condition_values("s3:prefix")) == {
        "${var.lake_prefix}/*",
        "${var.landing_prefix}/*",
    }


def test_runs_commit_with_s3_alone_and_get_no_dynamodb(module: Module) -> None:
    runs = module("iam").statements("runs")
    services = {a.split(":")[0] for s in runs for a in s.actions}
    assert services == {"s3", "kms"}
    via = {v for s in runs for v in s.condition_values("kms:ViaService")}
    assert via == {"s3.${local.region}.amazonaws.com"}


def test_analysts_only_get_and_list_gold(module: Module) -> None:
    analysts = module("iam").statements("analysts")
    s3_actions = {a for s in analysts for a in _s3(s)}
    assert s3_actions == {"s3:GetObject", "s3:ListBucket"}
    others = {a for s in analysts for a in s.actions if not a.startswith("s3:")}
    assert others == {"kms:Decrypt"}  # SSE-KMS objects cannot be read without it
    (read,) = [s for s in analysts if "s3:GetObject" in s.actions]
    assert read.resources == (GOLD_OBJECTS,)
    (listing,) = [s for s in analysts if "s3:ListBucket" in s.actions]
    assert listing.condition_values("s3:prefix") == ["${var.lake_prefix}/gold/*"]


def test_kms_use_is_bound_to_the_services_that_need_it(module: Module) -> None:
    for document, statement in _allowed(module("iam")):
        if any(a.startswith("kms:") for a in statement.actions):
            assert statement.resources == ("${var.kms_key_arn}",), document
            assert statement.condition_values("kms:ViaService"), document


def test_the_daemon_can_launch_watch_and_stop_runs_in_its_cluster_only(module: Module) -> None:
    iam = module("iam")
    daemon = iam.statements("daemon")
    actions = {a for s in daemon for a in s.actions}
    assert {"ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks", "iam:PassRole"} <= actions
    (run_task,) = [s for s in daemon if "ecs:RunTask" in s.actions]
    assert run_task.resources == (iam.resolve("${local.run_task_def}"),)
    assert run_task.condition_values("ecs:cluster") == ["${local.cluster_arn}"]
    for statement in daemon:
        if {"ecs:StopTask", "ecs:DescribeTasks"} & set(statement.actions):
            assert statement.resources == (iam.resolve("${local.cluster_tasks}"),)


def test_the_daemon_passes_only_the_run_roles_and_only_to_ecs_tasks(module: Module) -> None:
    (passing,) = [s for s in module("iam").statements("daemon") if "iam:PassRole" in s.actions]
    assert set(passing.resources) == {
        '${aws_iam_role.task["runs"].arn}',
        '${aws_iam_role.task["execution"].arn}',
    }
    assert passing.condition_values("iam:PassedToService") == ["ecs-tasks.amazonaws.com"]


def test_wildcard_resources_are_only_for_actions_without_resource_permissions(
    module: Module,
) -> None:
    unscoped = {
        "ecr:GetAuthorizationToken",
        "ecs:DescribeTaskDefinition",
        "ec2:DescribeNetworkInterfaces",
    }
    for document, statement in _allowed(module("iam")):
        if "*" in statement.resources:
            assert set(statement.actions) <= unscoped, f"{document}/{statement.sid}"


def test_task_roles_trust_only_ecs_tasks_of_this_account(module: Module) -> None:
    (trust,) = module("iam").statements("ecs_tasks_assume")
    assert trust.actions == ("sts:AssumeRole",)
    assert trust.condition_values("aws:SourceAccount") == ["${local.account_id}"]


def test_the_execution_role_reads_only_the_task_secrets(module: Module) -> None:
    execution = module("iam").statements("execution")
    (secrets,) = [s for s in execution if "secretsmanager:GetSecretValue" in s.actions]
    assert secrets.resources == ("${var.secret_arns}",)


def test_the_execution_role_gets_exactly_the_secrets_the_tasks_inject(module) -> None:
    iam = module("platform").named("module")["iam"]
    assert iam["secret_arns"] == [
        "${module.secrets.pii_key_secret_arn}",
        "${module.secrets.dagster_database_secret_arn}",  # never the RDS master user's secret
        "${module.secrets.mlflow_tracking_uri_secret_arn}",
    ]


def test_every_secret_a_task_injects_is_readable_by_the_execution_role(module) -> None:
    """ECS fetches a task's secrets with the execution role: one it may not read stops the task."""
    injected = {s["valueFrom"] for s in module("dagster_ecs").locals["secrets"]}
    ecs = module("platform").named("module")["dagster_ecs"]
    readable = set(module("platform").named("module")["iam"]["secret_arns"])
    for value in injected:
        variable = value.removeprefix("${var.").split("}")[0]
        assert ecs[variable] in readable, f"{variable} ({ecs[variable]}) is not in secret_arns"


def test_the_read_only_webserver_can_look_at_run_tasks_but_not_stop_them(module: Module) -> None:
    iam = module("iam")
    read_only = {a for s in iam.statements("webserver_read_only") for a in s.actions}
    assert read_only == {"ecs:DescribeTasks", "ecs:DescribeTaskDefinition"}
    full = {a for s in iam.statements("webserver") for a in s.actions}
    assert "ecs:StopTask" in full  # terminating a run from the operators' UI
