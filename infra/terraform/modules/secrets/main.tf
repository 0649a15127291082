# Secrets of the deployment. Terraform creates the containers only: values are put out of band
# (infra/README.md, "How to apply"), so they never land in the repository.
#   pii_key           LAKEHOUSE_PII_KEY of every task
#   dagster_database  the Dagster instance's own PostgreSQL role (not the RDS master user):
#                     {"username": ..., "password": ...}; its password is DAGSTER_PG_PASSWORD
#   ui_oidc_client    per audience (operators, viewers), the client secret the identity
#                     provider issued; the load balancer's sign-in reads it (OIDC only)

resource "aws_secretsmanager_secret" "pii_key" {
  #checkov:skip=CKV2_AWS_57: the PII key salts the hashes of every masked column; rotating it is a deliberate re-keying of silver, not a timer
  name                    = "${var.name}/lakehouse-pii-key"
  description             = "LAKEHOUSE_PII_KEY of ${var.name}: keys the hashing of PII columns"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret" "dagster_database" {
  #checkov:skip=CKV2_AWS_57: the password is set with psql's \password (infra/dagster/postgres-bootstrap.sql) and the tasks redeployed; a rotation Lambda would need its own path into the private database (follow-up in infra/README.md)
  name                    = "${var.name}/dagster-database"
  description             = "The Dagster instance's PostgreSQL role of ${var.name} (JSON username, password): DAGSTER_PG_USER and DAGSTER_PG_PASSWORD of every task"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret" "ui_oidc_client" {
  #checkov:skip=CKV2_AWS_57: the value is the client secret the identity provider issued; it changes when the provider renews it, then is put here and applied, not on an AWS timer
  for_each                = toset(var.ui_oidc_audiences)
  name                    = "${var.name}/ui-oidc-client/${each.key}"
  description             = "Client secret of the ${each.key}' OIDC client of the ${var.name} Dagster UI (plain string)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}
