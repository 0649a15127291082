output "pii_key_secret_arn" {
  description = "ARN of the LAKEHOUSE_PII_KEY secret (a plain string)."
  value       = aws_secretsmanager_secret.pii_key.arn
}

output "dagster_database_secret_arn" {
  description = "ARN of the Dagster database role's secret (JSON with username and password)."
  value       = aws_secretsmanager_secret.dagster_database.arn
}

output "ui_oidc_client_secret_arns" {
  description = "ARN of each audience's OIDC client secret (a plain string), by audience; empty without OIDC."
  value       = { for audience, secret in aws_secretsmanager_secret.ui_oidc_client : audience => secret.arn }
}
