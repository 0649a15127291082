variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod."
  type        = string
}

variable "environment" {
  description = "LAKEHOUSE_ENV of every task (staging or prod)."
  type        = string
}

variable "region" {
  description = "AWS region of the deployment (AWS_REGION, awslogs-region)."
  type        = string
}

variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "run_task_family" {
  description = "Family of the run task definition (DAGSTER_RUN_TASK_DEFINITION)."
  type        = string
}

variable "log_group_prefix" {
  description = "Prefix of the CloudWatch log groups, e.g. /lakehouse-prod."
  type        = string
}

variable "ecr_repository_name" {
  description = "Name of the ECR repository for the code-location image."
  type        = string
}

variable "image_tag" {
  description = "Tag of the code-location image to run (immutable; e.g. the git SHA)."
  type        = string
}

variable "images_to_keep" {
  description = "How many images ECR keeps."
  type        = number
  default     = 30
}

variable "lake_uri" {
  description = "LAKEHOUSE_ROOT, s3://<bucket>/<env>/lake."
  type        = string
}

variable "landing_uri" {
  description = "LAKEHOUSE_LANDING, s3://<bucket>/<env>/landing."
  type        = string
}

variable "db_host" {
  description = "DAGSTER_PG_HOST."
  type        = string
}

variable "db_port" {
  description = "DAGSTER_PG_PORT."
  type        = number
}

variable "db_name" {
  description = "DAGSTER_PG_DB."
  type        = string
}

variable "db_username" {
  description = "DAGSTER_PG_USER: the Dagster role of the database, never the RDS master user."
  type        = string
}

variable "db_password_secret_arn" {
  description = "Secret of the Dagster database role (JSON with a `password` key) that becomes DAGSTER_PG_PASSWORD."
  type        = string
}

variable "pii_key_secret_arn" {
  description = "Secret that becomes LAKEHOUSE_PII_KEY."
  type        = string
}

variable "mlflow_uri_secret_arn" {
  description = "Secret (the MLflow store's PostgreSQL URI, a plain string) that becomes LAKEHOUSE_MLFLOW_TRACKING_URI."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the log groups and the ECR repository."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps task logs."
  type        = number
  default     = 365
}

variable "execution_role_arn" {
  description = "Task execution role (image pull, logs, secrets)."
  type        = string
}

variable "webserver_role_arn" {
  description = "Task role of the operators' webserver."
  type        = string
}

variable "webserver_read_only_role_arn" {
  description = "Task role of the viewers' read-only webserver."
  type        = string
}

variable "daemon_role_arn" {
  description = "Task role of the daemon."
  type        = string
}

variable "runs_role_arn" {
  description = "Task role of every run."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the tasks (with a NAT gateway or VPC endpoints for AWS APIs)."
  type        = list(string)
}

variable "tasks_security_group_id" {
  description = "Security group of all Dagster tasks."
  type        = string
}

variable "webserver_security_group_id" {
  description = "Extra security group of both webservers (UI port from the load balancer's group only)."
  type        = string
}

variable "webserver_target_group_arns" {
  description = "Target group each webserver service registers in, by service: webserver (operators), webserver_read_only (viewers)."
  type        = object({ webserver = string, webserver_read_only = string })
}

variable "webserver_port" {
  description = "Port of the Dagster UI."
  type        = number
  default     = 3000
}

variable "webserver_grace_period_seconds" {
  description = "Seconds a new webserver task may fail the load balancer's health check while it loads the code location."
  type        = number
  default     = 120
}

variable "webserver_cpu" {
  description = "Fargate CPU units of the webserver task."
  type        = number
  default     = 1024
}

variable "webserver_memory" {
  description = "Memory (MiB) of the webserver task."
  type        = number
  default     = 2048
}

variable "daemon_cpu" {
  description = "Fargate CPU units of the daemon task."
  type        = number
  default     = 1024
}

variable "daemon_memory" {
  description = "Memory (MiB) of the daemon task."
  type        = number
  default     = 2048
}

variable "run_cpu" {
  description = "Fargate CPU units of each run task (override per run with the ecs/cpu tag)."
  type        = number
  default     = 2048
}

variable "run_memory" {
  description = "Memory (MiB) of each run task (override per run with the ecs/memory tag)."
  type        = number
  default     = 8192
}

variable "run_ephemeral_storage_gib" {
  description = "Ephemeral storage (GiB) of each run task, for DuckDB spill and dbt artefacts."
  type        = number
  default     = 50
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "metrics_port" {
  description = "Port of the ops metrics exporter container beside the daemon."
  type        = number
  default     = 9464
}

variable "metrics_security_group_id" {
  description = "Extra security group of the daemon task admitting the Prometheus scrapers to metrics_port (network module)."
  type        = string
}
