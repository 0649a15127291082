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
  description = "CIDRs (VPN, office) that may reach the Dagster UI's load balancer; each at most a /16. Everyone still signs in."
  type        = list(string)
  default     = []
}

variable "ui" {
  description = <<-EOT
    Sign-in in front of the Dagster UI (infra/README.md, "Signing in to the Dagster UI"):
      domain           operators open https://ops.<domain>, viewers https://view.<domain>
      certificate_arn  ACM certificate valid for both hosts (e.g. *.<domain>)
      internal         internal load balancer (default) or internet-facing (false)
      subnet_ids       subnets of the load balancer (default: private_subnet_ids; public ones when internet-facing)
      route53_zone_id  hosted zone of domain, to create both DNS records in (optional)
      auth_provider    "oidc" (default) or "cognito"
      oidc             issuer, authorization_endpoint, token_endpoint, user_info_endpoint, and
                       client_ids = { operators, viewers }: one client per audience, each
                       assigned at the identity provider to that audience's group only
      cognito          { operators, viewers }, each { user_pool_arn, client_id, domain }: one user pool per audience
  EOT
  type = object({
    domain          = string
    certificate_arn = string
    internal        = optional(bool, true)
    subnet_ids      = optional(list(string), [])
    route53_zone_id = optional(string)
    auth_provider   = optional(string, "oidc")
    oidc = optional(object({
      issuer                 = string
      authorization_endpoint = string
      token_endpoint         = string
      user_info_endpoint     = string
      client_ids             = object({ operators = string, viewers = string })
    }))
    cognito = optional(object({
      operators = object({ user_pool_arn = string, client_id = string, domain = string })
      viewers   = object({ user_pool_arn = string, client_id = string, domain = string })
    }))
  })
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

variable "metrics_scraper_security_group_ids" {
  description = "Security groups of the Prometheus servers that may scrape the ops metrics (lakehouse metrics serve, port 9464 beside the daemon); none by default."
  type        = list(string)
  default     = []
}
