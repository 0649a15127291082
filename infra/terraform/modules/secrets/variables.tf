variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod; prefixes the secret names."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the secrets."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (7-30)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "ui_oidc_audiences" {
  description = "Audiences of the UI whose OIDC client secret is kept here (operators, viewers); empty when the UI signs in with Cognito."
  type        = list(string)
  default     = []
}
