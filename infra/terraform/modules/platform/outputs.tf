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
