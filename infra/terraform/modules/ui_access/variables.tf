variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod; names the load balancer (<name>-ui) and the target groups (<name>-<audience>)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer and the webserver tasks."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the load balancer (two or more availability zones): private ones when internal, public ones when internet-facing. They need a route to the identity provider (NAT gateway), which the load balancer calls to redeem sign-in codes."
  type        = list(string)
}

variable "internal" {
  description = "Internal load balancer (reached over VPN or peering); false makes it internet-facing, still limited to the allowed CIDRs and still signing everyone in."
  type        = bool
  default     = true
}

variable "security_group_id" {
  description = "Security group of the load balancer (network module): 443 and 80 from the allowed CIDRs, out to the webservers and the identity provider."
  type        = string
}

variable "domain" {
  description = "Domain under which the audiences' hosts live: ops.<domain> (operators) and view.<domain> (viewers)."
  type        = string
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lower-case DNS name such as dagster.example.com."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener, valid for ops.<domain> and view.<domain> (e.g. *.<domain>)."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:acm:[a-z0-9-]+:[0-9]{12}:certificate/", var.certificate_arn))
    error_message = "certificate_arn must be the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: TLS 1.3 and 1.2 with forward-secret AEAD ciphers only by default."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "ssl_policy must be one of the ELBSecurityPolicy-TLS13-* policies (TLS 1.2 at least, TLS 1.3 offered)."
  }
}

variable "route53_zone_id" {
  description = "Hosted zone of domain, to create the audiences' alias records in; null to create the DNS records elsewhere."
  type        = string
  default     = null
}

variable "access_log_bucket" {
  description = "Bucket the load balancer writes its access logs to (SSE-S3; the lake_storage access-log bucket)."
  type        = string
}

variable "access_log_prefix" {
  description = "Key prefix of the access logs in access_log_bucket (no trailing slash)."
  type        = string
}

variable "webserver_port" {
  description = "Port the Dagster webservers listen on."
  type        = number
  default     = 3000
}

variable "session_timeout_seconds" {
  description = "How long a sign-in lasts before the load balancer sends the user to the identity provider again."
  type        = number
  default     = 28800
}

variable "auth_provider" {
  description = "How the load balancer signs users in: oidc (any OpenID Connect provider: the oidc_* inputs) or cognito (cognito_user_pools)."
  type        = string
  default     = "oidc"
  validation {
    condition     = contains(["oidc", "cognito"], var.auth_provider)
    error_message = "auth_provider must be oidc or cognito."
  }
}

variable "oidc_issuer" {
  description = "OIDC issuer (the iss claim), e.g. https://login.example.com; with auth_provider = oidc."
  type        = string
  default     = null
  validation {
    condition     = var.auth_provider != "oidc" || can(regex("^https://", var.oidc_issuer))
    error_message = "With auth_provider = oidc, oidc_issuer must be an https:// URL."
  }
}

variable "oidc_authorization_endpoint" {
  description = "OIDC authorization endpoint (from the issuer's /.well-known/openid-configuration)."
  type        = string
  default     = null
  validation {
    condition     = var.auth_provider != "oidc" || can(regex("^https://", var.oidc_authorization_endpoint))
    error_message = "With auth_provider = oidc, oidc_authorization_endpoint must be an https:// URL."
  }
}

variable "oidc_token_endpoint" {
  description = "OIDC token endpoint (from the issuer's /.well-known/openid-configuration)."
  type        = string
  default     = null
  validation {
    condition     = var.auth_provider != "oidc" || can(regex("^https://", var.oidc_token_endpoint))
    error_message = "With auth_provider = oidc, oidc_token_endpoint must be an https:// URL."
  }
}

variable "oidc_user_info_endpoint" {
  description = "OIDC user-info endpoint (from the issuer's /.well-known/openid-configuration)."
  type        = string
  default     = null
  validation {
    condition     = var.auth_provider != "oidc" || can(regex("^https://", var.oidc_user_info_endpoint))
    error_message = "With auth_provider = oidc, oidc_user_info_endpoint must be an https:// URL."
  }
}

variable "oidc_client_ids" {
  description = "Client id of each audience's OIDC client (operators, viewers): one client per audience, each assigned at the identity provider to that audience's group only."
  type        = object({ operators = string, viewers = string })
  default     = null
  validation {
    condition     = var.auth_provider != "oidc" || try(var.oidc_client_ids.operators != var.oidc_client_ids.viewers, false)
    error_message = "With auth_provider = oidc, oidc_client_ids needs two different clients: one client for both audiences would let every viewer open the operators' UI."
  }
}

variable "oidc_client_secret_arns" {
  description = "Secrets Manager secret holding each audience's OIDC client secret (a plain string), by audience."
  type        = map(string)
  default     = {}
  validation {
    condition     = var.auth_provider != "oidc" || toset(keys(var.oidc_client_secret_arns)) == toset(["operators", "viewers"])
    error_message = "With auth_provider = oidc, oidc_client_secret_arns needs the secrets of exactly operators and viewers."
  }
}

variable "oidc_scope" {
  description = "Scopes the load balancer asks the OIDC provider for."
  type        = string
  default     = "openid"
}

variable "cognito_user_pools" {
  description = "With auth_provider = cognito, each audience's user pool, app client and pool domain (prefix or custom domain). Use one user pool per audience: Cognito lets every user of a pool sign in to every app client of it, so two app clients of one pool do not separate the audiences."
  type = object({
    operators = object({ user_pool_arn = string, client_id = string, domain = string })
    viewers   = object({ user_pool_arn = string, client_id = string, domain = string })
  })
  default = null
  validation {
    condition     = var.auth_provider != "cognito" || try(var.cognito_user_pools.operators.user_pool_arn != var.cognito_user_pools.viewers.user_pool_arn, false)
    error_message = "With auth_provider = cognito, cognito_user_pools needs a different user pool for operators and for viewers."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
