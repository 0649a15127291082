output "pii_key_secret_arn" {
  description = "ARN of the LAKEHOUSE_PII_KEY secret (a plain string)."
  value       = aws_secretsmanager_secret.pii_key.arn
}
