# Linked into every envs/<env>/ (as variables.tf): the inputs of an environment, set in its
# terraform.tfvars or with -var.

variable "region" {
  description = "AWS region of the deployment."
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "Existing VPC to deploy into."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two availability zones, with egress to AWS APIs (NAT gateway or VPC endpoints)."
  type        = list(string)
}

variable "webserver_ingress_cidrs" {
  description = "Private CIDRs (VPN, office) that may open the Dagster UI."
  type        = list(string)
  default     = []
}

variable "image_tag" {
  description = "Tag of the code-location image in the environment's ECR repository (e.g. the git SHA)."
  type        = string
}

variable "bucket_name" {
  description = "Name of the lake bucket; default lakehouse-<env>-<account id>."
  type        = string
  default     = null
}

variable "analyst_principal_arns" {
  description = "Principals allowed to assume the read-only analysts role."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
