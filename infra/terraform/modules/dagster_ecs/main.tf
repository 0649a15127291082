# Dagster on ECS Fargate: the code-location image in ECR, one cluster, two webserver services
# behind the UI load balancer (the full one for operators, a --read-only one for viewers), a
# daemon service (exactly one task), and the task definition EcsRunLauncher starts for every
# run, so each run is its own Fargate task with the runs role. The daemon's task also runs the
# ops metrics exporter (`lakehouse metrics serve`) for Prometheus. The four task definitions and
# the three services differ only in the values of local.task_definitions and local.services.

locals {
  image = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"

  # Plain configuration: the same in every task, so runs see what the daemon's sensors saw.
  environment_values = {
    LAKEHOUSE_ENV               = var.environment
    LAKEHOUSE_ROOT              = var.lake_uri
    LAKEHOUSE_LANDING           = var.landing_uri
    AWS_REGION                  = var.region
    AWS_CONDITIONAL_PUT         = "etag" # Delta commits via S3 conditional writes, no lock table
    DAGSTER_PG_HOST             = var.db_host
    DAGSTER_PG_PORT             = tostring(var.db_port)
    DAGSTER_PG_DB               = var.db_name
    DAGSTER_PG_USER             = var.db_username
    DAGSTER_RUN_TASK_DEFINITION = var.run_task_family
    DAGSTER_CURRENT_IMAGE       = local.image
    PYTHONUNBUFFERED            = "1"
  }
  environment = [for k, v in local.environment_values : { name = k, value = v }]

  # Secrets come from Secrets Manager at task start; never as plain environment values. The
  # database password is the Dagster role's (its own secret), never the RDS master user's; the
  # MLflow tracking URI holds the MLflow role's password (the ML assets read it as a dg.EnvVar).
  secrets = [
    { name = "LAKEHOUSE_PII_KEY", valueFrom = var.pii_key_secret_arn },
    { name = "DAGSTER_PG_PASSWORD", valueFrom = "${var.db_password_secret_arn}:password::" },
    { name = "LAKEHOUSE_MLFLOW_TRACKING_URI", valueFrom = var.mlflow_uri_secret_arn },
  ]

  log_groups = {
    webserver = "${var.log_group_prefix}/webserver"
    daemon    = "${var.log_group_prefix}/daemon"
    runs      = "${var.log_group_prefix}/runs"
  }

  container_defaults = {
    image                  = local.image
    essential              = true
    user                   = "10001"
    privileged             = false
    readonlyRootFilesystem = false
    environment            = local.environment
    secrets                = local.secrets
  }

  # Only the webservers have a health check (the UI answering on its port).
  webserver_health_check = {
    healthCheck = {
      command     = ["CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.webserver_port}/server_info', timeout=5)\""]
      interval    = 30
      timeout     = 10
      retries     = 3
      startPeriod = 60
    }
  }
  health_checks = {
    webserver           = local.webserver_health_check
    webserver_read_only = local.webserver_health_check
  }

  # What sets each task definition apart. Its container is named after it (EcsRunLauncher
  # overrides the container named "run") and logs under that name to its component's log group.
  # The two webservers differ only in --read-only (no launching, terminating, re-executing,
  # schedule or sensor toggling; the viewers' UI) and in their task role.
  task_definitions = {
    webserver = {
      family                = "${var.name}-webserver"
      cpu                   = var.webserver_cpu
      memory                = var.webserver_memory
      task_role_arn         = var.webserver_role_arn
      log_group             = "webserver"
      ephemeral_storage_gib = null
      container = {
        name         = "webserver"
        command      = ["dagster-webserver", "-h", "0.0.0.0", "-p", tostring(var.webserver_port), "-w", "workspace.yaml"]
        portMappings = [{ containerPort = var.webserver_port, protocol = "tcp" }]
      }
    }
    webserver_read_only = {
      family                = "${var.name}-webserver-read-only"
      cpu                   = var.webserver_cpu
      memory                = var.webserver_memory
      task_role_arn         = var.webserver_read_only_role_arn
      log_group             = "webserver"
      ephemeral_storage_gib = null
      container = {
        name         = "webserver-read-only"
        command      = ["dagster-webserver", "-h", "0.0.0.0", "-p", tostring(var.webserver_port), "-w", "workspace.yaml", "--read-only"]
        portMappings = [{ containerPort = var.webserver_port, protocol = "tcp" }]
      }
    }
    daemon = {
      family                = "${var.name}-daemon"
      cpu                   = var.daemon_cpu
      memory                = var.daemon_memory
      task_role_arn         = var.daemon_role_arn
      log_group             = "daemon"
      ephemeral_storage_gib = null
      container             = { name = "daemon", command = ["dagster-daemon", "run", "-w", "workspace.yaml"] }
      # Not essential: an exporter that dies must not stop the daemon (Prometheus sees it down).
      sidecars = [{
        name         = "metrics"
        essential    = false
        command      = ["lakehouse", "metrics", "serve", "--host", "0.0.0.0", "--port", tostring(var.metrics_port)]
        portMappings = [{ containerPort = var.metrics_port, protocol = "tcp" }]
      }]
    }
    # EcsRunLauncher (task_definition: {env: DAGSTER_RUN_TASK_DEFINITION}, container_name: run)
    # starts this definition for every run and overrides the container's command.
    run = {
      family                = var.run_task_family
      cpu                   = var.run_cpu
      memory                = var.run_memory
      task_role_arn         = var.runs_role_arn
      log_group             = "runs"
      ephemeral_storage_gib = var.run_ephemeral_storage_gib
      container             = { name = "run" }
    }
  }

  # The webservers roll (new task up and healthy in its target group before the old stops) and
  # are reachable only through the load balancer (their extra group admits its group only);
  # Dagster needs exactly one daemon, so its deployment stops the old task before starting the
  # new. Runs inherit the daemon's subnets and security groups (use_current_ecs_task_config).
  services = {
    webserver           = { minimum_healthy_percent = 100, maximum_percent = 200, load_balanced = true, security_group_ids = [var.tasks_security_group_id, var.webserver_security_group_id] }
    webserver_read_only = { minimum_healthy_percent = 100, maximum_percent = 200, load_balanced = true, security_group_ids = [var.tasks_security_group_id, var.webserver_security_group_id] }
    daemon              = { minimum_healthy_percent = 0, maximum_percent = 100, load_balanced = false, security_group_ids = [var.tasks_security_group_id, var.metrics_security_group_id] }
  }
}

resource "aws_ecr_repository" "this" {
  name                 = var.ecr_repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the newest ${var.images_to_keep} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.images_to_keep
      }
      action = { type = "expire" }
    }]
  })
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.log_groups
  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336: Dagster writes $DAGSTER_HOME/storage and local compute logs, dbt writes target/, all in the image's tree; a read-only root needs bind mounts for them (follow-up)
  for_each                 = local.task_definitions
  family                   = each.value.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = each.value.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "ephemeral_storage" {
    for_each = each.value.ephemeral_storage_gib == null ? [] : [each.value.ephemeral_storage_gib]
    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  container_definitions = jsonencode([
    for container in concat([merge(each.value.container, lookup(local.health_checks, each.key, {}))], lookup(each.value, "sidecars", [])) :
    merge(local.container_defaults, container, {
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this[each.value.log_group].name
          awslogs-region        = var.region
          awslogs-stream-prefix = container.name
        }
      }
    })
  ])

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  for_each                           = local.services
  name                               = "${var.name}-${replace(each.key, "_", "-")}"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = 1
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true
  deployment_minimum_healthy_percent = each.value.minimum_healthy_percent
  deployment_maximum_percent         = each.value.maximum_percent
  health_check_grace_period_seconds  = each.value.load_balanced ? var.webserver_grace_period_seconds : null

  # A webserver registers in its target group (ui_access); the daemon serves no traffic.
  dynamic "load_balancer" {
    for_each = each.value.load_balanced ? [var.webserver_target_group_arns[each.key]] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = local.task_definitions[each.key].container.name
      container_port   = var.webserver_port
    }
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = each.value.security_group_ids
    assign_public_ip = false
  }

  tags = var.tags
}
