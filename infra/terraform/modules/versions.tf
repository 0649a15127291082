# Linked into every module here (as versions.tf): the Terraform and AWS provider releases the
# modules work with. The environments pin one exact provider release (envs/shared/versions.tf).
# 1.9: variable validations refer to other variables (network, database, ui_access).

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 6.0"
    }
  }
}
