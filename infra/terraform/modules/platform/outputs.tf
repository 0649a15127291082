output "lakehouse_root" {
  description = "LAKEHOUSE_ROOT of this environment."
  value       = module.lake_storage.lake_uri
}

output "lakehouse_landing" {
  description = "LAKEHOUSE_LANDING of this environment (where upstream systems drop files)."
  value       = module.lake_storage.landing_uri
}

output "ecr_repository_url" {
  description = "Push the code-location image here."
  value       = module.dagster_ecs.ecr_repository_url
}

output "cluster_name" {
  description = "ECS cluster of the Dagster services and runs."
  value       = module.dagster_ecs.cluster_name
}

output "pii_key_secret_arn" {
  description = "Put LAKEHOUSE_PII_KEY's value into this secret before the first deploy."
  value       = module.secrets.pii_key_secret_arn
}

output "database_address" {
  description = "Host of the Dagster instance database."
  value       = module.database.address
}

output "analysts_policy_arn" {
  description = "Managed policy for read-only access to gold."
  value       = module.iam.analysts_policy_arn
}

output "log_group_names" {
  description = "CloudWatch log groups of the webserver, daemon and runs."
  value       = module.dagster_ecs.log_group_names
}

output "ui_urls" {
  description = "Addresses of the Dagster UI: operators (full) and viewers (read-only), both behind sign-in."
  value       = module.ui_access.urls
}

output "ui_load_balancer_dns_name" {
  description = "DNS name of the UI load balancer: point ops.<domain> and view.<domain> at it when no Route 53 zone was given."
  value       = module.ui_access.load_balancer_dns_name
}

output "ui_oidc_client_secret_arns" {
  description = "Put each audience's OIDC client secret into these secrets before the first full apply (empty with Cognito)."
  value       = module.secrets.ui_oidc_client_secret_arns
}

output "dagster_database_secret_arn" {
  description = "Put the Dagster database role's {username, password} here before the first full apply (infra/dagster/postgres-bootstrap.sql)."
  value       = module.secrets.dagster_database_secret_arn
}

output "database_master_secret_arn" {
  description = "RDS-managed secret of the database master user: for the bootstrap SQL only, never given to a task."
  value       = module.database.master_user_secret_arn
}
