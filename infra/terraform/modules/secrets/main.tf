# Application secrets the tasks read through their task definition's `secrets`. Terraform
# creates the containers only: values are put out of band, so they never land in the state.
#   aws secretsmanager put-secret-value --secret-id <pii_key_secret_arn> --secret-string "$(openssl rand -hex 32)"

resource "aws_secretsmanager_secret" "pii_key" {
  #checkov:skip=CKV2_AWS_57: the PII key salts the hashes of every masked column; rotating it is a deliberate re-keying of silver, not a timer
  name                    = "${var.name}/lakehouse-pii-key"
  description             = "LAKEHOUSE_PII_KEY of ${var.name}: keys the hashing of PII columns"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}
