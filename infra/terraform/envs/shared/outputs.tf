# Linked into every envs/<env>/ (as outputs.tf): the platform module's outputs (described in
# modules/platform/outputs.tf), for `terraform output`.

output "lakehouse_root" { value = module.platform.lakehouse_root }
output "lakehouse_landing" { value = module.platform.lakehouse_landing }
output "ecr_repository_url" { value = module.platform.ecr_repository_url }
output "cluster_name" { value = module.platform.cluster_name }
output "pii_key_secret_arn" { value = module.platform.pii_key_secret_arn }
output "database_address" { value = module.platform.database_address }
output "analysts_policy_arn" { value = module.platform.analysts_policy_arn }
output "log_group_names" { value = module.platform.log_group_names }
output "ui_urls" { value = module.platform.ui_urls }
output "ui_load_balancer_dns_name" { value = module.platform.ui_load_balancer_dns_name }
output "ui_oidc_client_secret_arns" { value = module.platform.ui_oidc_client_secret_arns }
output "dagster_database_secret_arn" { value = module.platform.dagster_database_secret_arn }
output "database_master_secret_arn" { value = module.platform.database_master_secret_arn }
