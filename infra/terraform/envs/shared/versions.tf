# Linked into every envs/<env>/ (as versions.tf): the Terraform and AWS provider releases every
# environment runs with, and the state backend (its settings: envs/<env>/backend.hcl).

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Partial configuration: terraform init -backend-config=backend.hcl (see backend.hcl.example).
  backend "s3" {}
}
