# MLflow's tracking store: its own database ("mlflow") on the platform's PostgreSQL, reached as
# its own role (infra/dagster/mlflow-bootstrap.sql). The secret holds the whole tracking URI,
# postgresql+psycopg2://<role>:<password>@<address>:5432/mlflow?sslmode=verify-full, and reaches the
# tasks as LAKEHOUSE_MLFLOW_TRACKING_URI (a dg.EnvVar in the Dagster resource).

resource "aws_secretsmanager_secret" "mlflow_tracking_uri" {
  #checkov:skip=CKV2_AWS_57: the password inside is set with psql's \password (infra/dagster/mlflow-bootstrap.sql) and the tasks redeployed, like the Dagster role's
  name                    = "${var.name}/mlflow-tracking-uri"
  description             = "LAKEHOUSE_MLFLOW_TRACKING_URI of ${var.name}: the MLflow tracking store's PostgreSQL URI (plain string)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

output "mlflow_tracking_uri_secret_arn" {
  description = "ARN of the LAKEHOUSE_MLFLOW_TRACKING_URI secret (a plain string)."
  value       = aws_secretsmanager_secret.mlflow_tracking_uri.arn
}
