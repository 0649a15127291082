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
