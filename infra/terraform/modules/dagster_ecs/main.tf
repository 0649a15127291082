# Dagster on ECS Fargate: the code-location image in ECR, one cluster, a webserver service, a
# daemon service (exactly one task), and the task definition EcsRunLauncher starts for every
# run, so each run is its own Fargate task with the runs role.

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

  # Secrets come from Secrets Manager at task start; never as plain environment values.
  secrets = [
    { name = "LAKEHOUSE_PII_KEY", valueFrom = var.pii_key_secret_arn },
    { name = "DAGSTER_PG_PASSWORD", valueFrom = "${var.db_master_secret_arn}:password::" },
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

resource "aws_ecs_task_definition" "webserver" {
  #checkov:skip=CKV_AWS_336: Dagster writes $DAGSTER_HOME/storage and dbt writes target/ in the image's tree; a read-only root needs bind mounts for both (follow-up)
  family                   = "${var.name}-webserver"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.webserver_cpu
  memory                   = var.webserver_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.webserver_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([merge(local.container_defaults, {
    name         = "webserver"
    command      = ["dagster-webserver", "-h", "0.0.0.0", "-p", tostring(var.webserver_port), "-w", "workspace.yaml"]
    portMappings = [{ containerPort = var.webserver_port, protocol = "tcp" }]
    healthCheck = {
      command     = ["CMD-SHELL", "python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.webserver_port}/server_info', timeout=5)\""]
      interval    = 30
      timeout     = 10
      retries     = 3
      startPeriod = 60
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["webserver"].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "webserver"
      }
    }
  })])

  tags = var.tags
}

resource "aws_ecs_task_definition" "daemon" {
  #checkov:skip=CKV_AWS_336: Dagster writes $DAGSTER_HOME/storage and dbt writes target/ in the image's tree; a read-only root needs bind mounts for both (follow-up)
  family                   = "${var.name}-daemon"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.daemon_cpu
  memory                   = var.daemon_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.daemon_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([merge(local.container_defaults, {
    name    = "daemon"
    command = ["dagster-daemon", "run", "-w", "workspace.yaml"]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["daemon"].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "daemon"
      }
    }
  })])

  tags = var.tags
}

# EcsRunLauncher (task_definition: {env: DAGSTER_RUN_TASK_DEFINITION}, container_name: run)
# starts this definition for every run and overrides the container's command.
resource "aws_ecs_task_definition" "run" {
  #checkov:skip=CKV_AWS_336: runs write dbt's target/ and Dagster's local compute logs in the image's tree; a read-only root needs bind mounts (follow-up)
  family                   = var.run_task_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.run_cpu
  memory                   = var.run_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.runs_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  ephemeral_storage {
    size_in_gib = var.run_ephemeral_storage_gib
  }

  container_definitions = jsonencode([merge(local.container_defaults, {
    name = "run"
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["runs"].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "run"
      }
    }
  })])

  tags = var.tags
}

resource "aws_ecs_service" "webserver" {
  name                               = "${var.name}-webserver"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.webserver.arn
  desired_count                      = 1
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.tasks_security_group_id, var.webserver_security_group_id]
    assign_public_ip = false
  }

  tags = var.tags
}

# Dagster needs exactly one daemon: a deployment stops the old task before starting the new.
resource "aws_ecs_service" "daemon" {
  name                               = "${var.name}-daemon"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.daemon.arn
  desired_count                      = 1
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Runs inherit these subnets and security groups (use_current_ecs_task_config).
  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.tasks_security_group_id]
    assign_public_ip = false
  }

  tags = var.tags
}
