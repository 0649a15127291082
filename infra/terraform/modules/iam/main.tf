# Least-privilege roles of one environment:
#   execution  pulls the image, writes task logs, reads the task secrets (all tasks)
#   runs       task role of every Dagster run: read/write only this env's lake + landing prefixes
#   daemon     launches, watches and stops run tasks (EcsRunLauncher), reads the prefixes for sensors
#   webserver  looks up and stops run tasks from the UI (the operators' webserver)
#   webserver_read_only  looks up run tasks only (the viewers' --read-only webserver)
#   analysts   read-only on the gold prefix
# Each policy is a list of statements in local.policies; one policy document renders them all.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  cluster_arn     = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.cluster_name}"
  cluster_tasks   = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${var.cluster_name}/*"
  run_task_def    = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.run_task_family}:*"
  log_groups      = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.log_group_prefix}/*"
  ecr_repository  = "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${var.ecr_repository_name}"
  lake_objects    = "${var.bucket_arn}/${var.lake_prefix}/*"
  landing_objects = "${var.bucket_arn}/${var.landing_prefix}/*"
  gold_objects    = "${var.bucket_arn}/${var.lake_prefix}/gold/*"

  # Conditions several statements share.
  kms_via_s3 = { test = "StringEquals", variable = "kms:ViaService", values = ["s3.${local.region}.amazonaws.com"] }
  kms_via_sm = { test = "StringEquals", variable = "kms:ViaService", values = ["secretsmanager.${local.region}.amazonaws.com"] }
  env_prefix = { test = "StringLike", variable = "s3:prefix", values = ["${var.lake_prefix}/*", "${var.landing_prefix}/*"] }

  # The roles ECS tasks assume: role name suffix, description, name of the inline policy.
  task_roles = {
    execution           = { suffix = "task-execution", policy = "pull-log-secrets", description = "ECS pulls the image, ships logs and injects secrets for ${var.name} tasks" }
    runs                = { suffix = "runs", policy = "lake-read-write", description = "Dagster runs of ${var.name}: read/write the env's lake and landing prefixes" }
    daemon              = { suffix = "daemon", policy = "ecs-run-launcher", description = "Dagster daemon of ${var.name}: launches and stops run tasks, reads the lake for sensors" }
    webserver           = { suffix = "webserver", policy = "ecs-run-control", description = "Dagster webserver of ${var.name}: reads and stops run tasks" }
    webserver_read_only = { suffix = "webserver-read-only", policy = "ecs-run-read", description = "Read-only Dagster webserver of ${var.name}: reads run tasks" }
  }

  # Statements of every policy, in order. "*" only where the actions have no resource-level
  # permissions (ecr:GetAuthorizationToken, ecs:DescribeTaskDefinition, ec2:DescribeNetworkInterfaces).
  policies = {
    # ECS itself, to start any of the tasks.
    execution = [
      { sid = "EcrLogin", actions = ["ecr:GetAuthorizationToken"], resources = ["*"] },
      { sid = "PullTheCodeLocationImage", actions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], resources = [local.ecr_repository] },
      { sid = "WriteTaskLogs", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${local.log_groups}:*"] },
      { sid = "ReadTaskSecrets", actions = ["secretsmanager:GetSecretValue"], resources = var.secret_arns },
      { sid = "DecryptTaskSecrets", actions = ["kms:Decrypt"], resources = [var.kms_key_arn], condition = [local.kms_via_sm] },
    ]
    # The task role of every run task.
    runs = [
      { sid = "ReadWriteEnvironmentPrefixes", actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], resources = [local.lake_objects, local.landing_objects] },
      { sid = "ListEnvironmentPrefixes", actions = ["s3:ListBucket"], resources = [var.bucket_arn], condition = [local.env_prefix] },
      { sid = "EncryptedObjects", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.kms_key_arn], condition = [local.kms_via_s3] },
    ]
    # Schedules, sensors, run queue, EcsRunLauncher.
    daemon = [
      { sid = "LaunchRunTasks", actions = ["ecs:RunTask"], resources = [local.run_task_def], condition = [{ test = "ArnEquals", variable = "ecs:cluster", values = [local.cluster_arn] }] },
      { sid = "TagRunTasksAtLaunch", actions = ["ecs:TagResource"], resources = [local.cluster_tasks], condition = [{ test = "StringEquals", variable = "ecs:CreateAction", values = ["RunTask"] }] },
      { sid = "WatchAndStopRunTasks", actions = ["ecs:DescribeTasks", "ecs:StopTask"], resources = [local.cluster_tasks] },
      { sid = "ReadTaskAndNetworkConfiguration", actions = ["ecs:DescribeTaskDefinition", "ec2:DescribeNetworkInterfaces"], resources = ["*"] },
      { sid = "PassRunRoles", actions = ["iam:PassRole"], resources = [aws_iam_role.task["runs"].arn, aws_iam_role.task["execution"].arn], condition = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["ecs-tasks.amazonaws.com"] }] },
      { sid = "ReadRunLogsForFailureMessages", actions = ["logs:GetLogEvents"], resources = ["${local.log_groups}:*"] },
      { sid = "SensorsReadEnvironmentPrefixes", actions = ["s3:GetObject"], resources = [local.lake_objects, local.landing_objects] },
      { sid = "SensorsListEnvironmentPrefixes", actions = ["s3:ListBucket"], resources = [var.bucket_arn], condition = [local.env_prefix] },
      { sid = "DecryptEnvironmentObjects", actions = ["kms:Decrypt"], resources = [var.kms_key_arn], condition = [local.kms_via_s3] },
    ]
    webserver = [
      { sid = "WatchAndStopRunTasks", actions = ["ecs:DescribeTasks", "ecs:StopTask"], resources = [local.cluster_tasks] },
      { sid = "ReadRunTaskDefinition", actions = ["ecs:DescribeTaskDefinition"], resources = ["*"] },
    ]
    # --read-only cannot terminate runs, so its role cannot stop tasks either.
    webserver_read_only = [
      { sid = "WatchRunTasks", actions = ["ecs:DescribeTasks"], resources = [local.cluster_tasks] },
      { sid = "ReadRunTaskDefinition", actions = ["ecs:DescribeTaskDefinition"], resources = ["*"] },
    ]
    # Read-only on gold; a managed policy (below), not a task role's.
    analysts = [
      { sid = "ReadGoldObjects", actions = ["s3:GetObject"], resources = [local.gold_objects] },
      { sid = "ListGoldPrefix", actions = ["s3:ListBucket"], resources = [var.bucket_arn], condition = [{ test = "StringLike", variable = "s3:prefix", values = ["${var.lake_prefix}/gold/*"] }] },
      { sid = "DecryptGoldObjects", actions = ["kms:Decrypt"], resources = [var.kms_key_arn], condition = [local.kms_via_s3] },
    ]
  }
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "this" {
  for_each = local.policies

  dynamic "statement" {
    for_each = each.value
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = try(statement.value.condition, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

# --- task roles: execution, runs, daemon, webserver, webserver_read_only ----------------------

resource "aws_iam_role" "task" {
  for_each           = local.task_roles
  name               = "${var.name}-${each.value.suffix}"
  description        = each.value.description
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = local.task_roles
  name     = each.value.policy
  role     = aws_iam_role.task[each.key].id
  policy   = data.aws_iam_policy_document.this[each.key].json
}

# --- analysts: read-only on gold ---------------------------------------------------------------

resource "aws_iam_policy" "analysts" {
  name        = "${var.name}-analysts-read-gold"
  description = "Read-only access to the gold marts of ${var.name}; attach to analyst groups or SSO permission sets"
  policy      = data.aws_iam_policy_document.this["analysts"].json
  tags        = var.tags
}

data "aws_iam_policy_document" "analysts_assume" {
  count = length(var.analyst_principal_arns) > 0 ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.analyst_principal_arns
    }
  }
}

resource "aws_iam_role" "analysts" {
  count              = length(var.analyst_principal_arns) > 0 ? 1 : 0
  name               = "${var.name}-analysts"
  description        = "Analysts of ${var.name}: read-only on gold"
  assume_role_policy = data.aws_iam_policy_document.analysts_assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "analysts" {
  count      = length(var.analyst_principal_arns) > 0 ? 1 : 0
  role       = aws_iam_role.analysts[0].name
  policy_arn = aws_iam_policy.analysts.arn
}
