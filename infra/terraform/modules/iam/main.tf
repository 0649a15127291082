# Least-privilege roles of one environment:
#   execution  pulls the image, writes task logs, reads the task secrets (all tasks)
#   runs       task role of every Dagster run: read/write only this env's lake + landing prefixes
#   daemon     launches, watches and stops run tasks (EcsRunLauncher), reads the prefixes for sensors
#   webserver  looks up and stops run tasks from the UI
#   analysts   read-only on the gold prefix

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

# --- execution role (used by ECS itself to start any of the tasks) ---------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  description        = "ECS pulls the image, ships logs and injects secrets for ${var.name} tasks"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions
  }
  statement {
    sid       = "PullTheCodeLocationImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.ecr_repository]
  }
  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_groups}:*"]
  }
  statement {
    sid       = "ReadTaskSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }
  statement {
    sid       = "DecryptTaskSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- runs: the task role of every run task ---------------------------------------------------

resource "aws_iam_role" "runs" {
  name               = "${var.name}-runs"
  description        = "Dagster runs of ${var.name}: read/write the env's lake and landing prefixes"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "runs" {
  statement {
    sid     = "ReadWriteEnvironmentPrefixes"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [
      local.lake_objects,
      local.landing_objects,
    ]
  }
  statement {
    sid       = "ListEnvironmentPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = [
        "${var.lake_prefix}/*",
        "${var.landing_prefix}/*",
      ]
    }
  }
  statement {
    sid       = "EncryptedObjects"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "runs" {
  name   = "lake-read-write"
  role   = aws_iam_role.runs.id
  policy = data.aws_iam_policy_document.runs.json
}

# --- daemon: schedules, sensors, run queue, EcsRunLauncher ------------------------------------

resource "aws_iam_role" "daemon" {
  name               = "${var.name}-daemon"
  description        = "Dagster daemon of ${var.name}: launches and stops run tasks, reads the lake for sensors"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "daemon" {
  statement {
    sid       = "LaunchRunTasks"
    actions   = ["ecs:RunTask"]
    resources = [local.run_task_def]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }
  statement {
    sid       = "TagRunTasksAtLaunch"
    actions   = ["ecs:TagResource"]
    resources = [local.cluster_tasks]
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }
  statement {
    sid       = "WatchAndStopRunTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_tasks]
  }
  statement {
    sid = "ReadTaskAndNetworkConfiguration"
    # Neither action supports resource-level permissions.
    actions   = ["ecs:DescribeTaskDefinition", "ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }
  statement {
    sid       = "PassRunRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.runs.arn, aws_iam_role.execution.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  statement {
    sid       = "ReadRunLogsForFailureMessages"
    actions   = ["logs:GetLogEvents"]
    resources = ["${local.log_groups}:*"]
  }
  statement {
    sid       = "SensorsReadEnvironmentPrefixes"
    actions   = ["s3:GetObject"]
    resources = [local.lake_objects, local.landing_objects]
  }
  statement {
    sid       = "SensorsListEnvironmentPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.lake_prefix}/*", "${var.landing_prefix}/*"]
    }
  }
  statement {
    sid       = "DecryptEnvironmentObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "daemon" {
  name   = "ecs-run-launcher"
  role   = aws_iam_role.daemon.id
  policy = data.aws_iam_policy_document.daemon.json
}

# --- webserver ---------------------------------------------------------------------------------

resource "aws_iam_role" "webserver" {
  name               = "${var.name}-webserver"
  description        = "Dagster webserver of ${var.name}: reads and stops run tasks"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "webserver" {
  statement {
    sid       = "WatchAndStopRunTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.cluster_tasks]
  }
  statement {
    sid       = "ReadRunTaskDefinition"
    actions   = ["ecs:DescribeTaskDefinition"] # no resource-level permissions
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "webserver" {
  name   = "ecs-run-control"
  role   = aws_iam_role.webserver.id
  policy = data.aws_iam_policy_document.webserver.json
}

# --- analysts: read-only on gold ---------------------------------------------------------------

data "aws_iam_policy_document" "analysts" {
  statement {
    sid       = "ReadGoldObjects"
    actions   = ["s3:GetObject"]
    resources = [local.gold_objects]
  }
  statement {
    sid       = "ListGoldPrefix"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.lake_prefix}/gold/*"]
    }
  }
  statement {
    sid       = "DecryptGoldObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "analysts" {
  name        = "${var.name}-analysts-read-gold"
  description = "Read-only access to the gold marts of ${var.name}; attach to analyst groups or SSO permission sets"
  policy      = data.aws_iam_policy_document.analysts.json
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
