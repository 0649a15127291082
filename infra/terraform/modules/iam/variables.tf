variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod; prefixes the role names."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the environment's lake bucket."
  type        = string
}

variable "lake_prefix" {
  description = "Key prefix of the Delta tables, e.g. prod/lake (no trailing slash)."
  type        = string
}

variable "landing_prefix" {
  description = "Key prefix of the landing files, e.g. prod/landing (no trailing slash)."
  type        = string
}

variable "kms_key_arn" {
  description = "The environment's KMS key."
  type        = string
}

variable "secret_arns" {
  description = "Secrets the task definitions inject (PII key, the Dagster database role's secret, the MLflow tracking URI); never the RDS master secret."
  type        = list(string)
}

variable "cluster_name" {
  description = "Name of the ECS cluster the tasks run in."
  type        = string
}

variable "run_task_family" {
  description = "Family of the run task definition the daemon may launch."
  type        = string
}

variable "log_group_prefix" {
  description = "Prefix of the tasks' CloudWatch log groups, e.g. /lakehouse-prod."
  type        = string
}

variable "ecr_repository_name" {
  description = "ECR repository holding the code-location image."
  type        = string
}

variable "analyst_principal_arns" {
  description = "IAM principals (roles, users, account roots) allowed to assume the analysts role; empty creates the policy only."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
