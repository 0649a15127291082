variable "environment" {
  description = "Deployment environment, staging or prod (lake_storage validates it); names every resource lakehouse-<env>."
  type        = string
}

variable "region" {
  description = "AWS region of the deployment (the tasks' AWS_REGION and log region)."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC to deploy into."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two availability zones, with egress to AWS APIs (NAT gateway or VPC endpoints)."
  type        = list(string)
}

variable "webserver_ingress_cidrs" {
  description = "CIDRs (VPN, office) that may reach the UI load balancer; each at most a /16 (network module)."
  type        = list(string)
}

variable "ui" {
  description = "Sign-in in front of the Dagster UI (ui_access module): domain (ops.<domain> for operators, view.<domain> for viewers), ACM certificate, load balancer placement, and the identity provider: auth_provider oidc with oidc (issuer, endpoints, one client per audience), or cognito with one user pool per audience."
  type = object({
    domain          = string
    certificate_arn = string
    internal        = optional(bool, true)
    subnet_ids      = optional(list(string), [])
    route53_zone_id = optional(string)
    auth_provider   = optional(string, "oidc")
    oidc = optional(object({
      issuer                 = string
      authorization_endpoint = string
      token_endpoint         = string
      user_info_endpoint     = string
      client_ids             = object({ operators = string, viewers = string })
    }))
    cognito = optional(object({
      operators = object({ user_pool_arn = string, client_id = string, domain = string })
      viewers   = object({ user_pool_arn = string, client_id = string, domain = string })
    }))
  })
}

variable "image_tag" {
  description = "Tag of the code-location image in the environment's ECR repository (e.g. the git SHA)."
  type        = string
}

variable "bucket_name" {
  description = "Name of the lake bucket; null for lakehouse-<env>-<account id>."
  type        = string
}

variable "analyst_principal_arns" {
  description = "Principals allowed to assume the read-only analysts role."
  type        = list(string)
}

variable "noncurrent_version_expiration_days" {
  description = "Days the lake bucket keeps a replaced or deleted object version."
  type        = number
}

variable "database_instance_class" {
  description = "RDS instance class of the Dagster instance database."
  type        = string
}

variable "database_multi_az" {
  description = "Keep a database standby in a second availability zone."
  type        = bool
}

variable "database_backup_retention_days" {
  description = "Days of automated database backups (point-in-time recovery window)."
  type        = number
}

variable "run_memory" {
  description = "Memory (MiB) of each run task (override per run with the ecs/memory tag)."
  type        = number
}

variable "metrics_scraper_security_group_ids" {
  description = "Security groups of the Prometheus servers that may scrape the ops metrics exporter beside the daemon (network module)."
  type        = list(string)
  default     = []
}
