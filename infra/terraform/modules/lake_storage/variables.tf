variable "environment" {
  description = "Deployment environment (staging or prod); the bucket's top-level prefix."
  type        = string
  validation {
    condition     = contains(["staging", "prod"], var.environment)
    error_message = "environment must be staging or prod."
  }
}

variable "bucket_name" {
  description = "Globally unique name of the environment's lake bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the lake bucket."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
