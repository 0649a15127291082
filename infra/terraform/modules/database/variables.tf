variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod; the DB instance identifier."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two availability zones) for the database."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the database (PostgreSQL from the Dagster tasks only)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the master-password secret."
  type        = string
}

variable "engine_major_version" {
  description = "PostgreSQL major version; RDS applies minor versions automatically."
  type        = string
  default     = "16"
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage_gb" {
  description = "Ceiling for storage autoscaling in GiB."
  type        = number
  default     = 100
}

variable "database_name" {
  description = "Database the Dagster instance uses (DAGSTER_PG_DB)."
  type        = string
  default     = "dagster"
}

variable "master_username" {
  description = "RDS master user: administers the database (infra/dagster/postgres-bootstrap.sql) and nothing else; its password stays in the RDS-managed secret, which no task reads. Changing it replaces the instance."
  type        = string
  default     = "dagster"
}

variable "dagster_username" {
  description = "PostgreSQL role the Dagster instance connects as (DAGSTER_PG_USER): no superuser, no CREATEROLE or CREATEDB; it owns only the Dagster tables in database_name. Created by infra/dagster/postgres-bootstrap.sql, not by Terraform."
  type        = string
  default     = "dagster_app"
  validation {
    condition     = var.dagster_username != var.master_username && can(regex("^[a-z_][a-z0-9_]{0,62}$", var.dagster_username))
    error_message = "dagster_username must be a lower-case PostgreSQL identifier other than master_username: Dagster never connects as the master user."
  }
}

variable "multi_az" {
  description = "Keep a standby in a second availability zone."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Refuse to delete the database until this is switched off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
