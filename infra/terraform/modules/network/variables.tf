variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC the tasks and the database live in."
  type        = string
}

variable "webserver_port" {
  description = "Port the Dagster webservers listen on."
  type        = number
  default     = 3000
}

variable "min_ingress_prefix_length" {
  description = "Widest range an entry of webserver_ingress_cidrs may cover, as a prefix length: 16 admits a /16 and anything narrower (/24, /32) and refuses /15 and wider (/8, /1, /0)."
  type        = number
  default     = 16
  validation {
    condition     = var.min_ingress_prefix_length >= 8 && var.min_ingress_prefix_length <= 32 && floor(var.min_ingress_prefix_length) == var.min_ingress_prefix_length
    error_message = "min_ingress_prefix_length must be a whole number from 8 to 32."
  }
}

# Each entry is checked twice: that it is an IPv4 network written as such (cidrhost parses it,
# and cidrsubnet(c, 0, 0) == c: no host bits set, so "10.0.0.1/8" cannot pass for a /32), and
# that its prefix is at least min_ingress_prefix_length long, which refuses 0.0.0.0/0 and every
# split of the internet into a few wide ranges (0.0.0.0/1 + 128.0.0.0/1, ...). The checks use
# try(): Terraform's && does not short-circuit, and a malformed entry must fail, not error.
variable "webserver_ingress_cidrs" {
  description = "IPv4 CIDRs (VPN, office) allowed to reach the UI load balancer on 443 (and 80, redirected); empty means none. Each must be a network address no wider than min_ingress_prefix_length."
  type        = list(string)
  default     = []
  validation {
    condition = alltrue([
      for c in var.webserver_ingress_cidrs :
      can(cidrhost(c, 0)) && can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", c)) && try(cidrsubnet(c, 0, 0) == c, false)
    ])
    error_message = "Every webserver_ingress_cidrs entry must be an IPv4 network in CIDR notation with no host bits set, e.g. 203.0.113.0/24."
  }
  validation {
    condition = alltrue([
      for c in var.webserver_ingress_cidrs :
      try(tonumber(split("/", c)[1]) >= var.min_ingress_prefix_length, false)
    ])
    error_message = "A webserver_ingress_cidrs entry covers more than a /${var.min_ingress_prefix_length} (e.g. 0.0.0.0/0, 0.0.0.0/1, 10.0.0.0/8): list the VPN or office ranges themselves, or lower min_ingress_prefix_length deliberately."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "metrics_port" {
  description = "Port of the ops metrics exporter (lakehouse metrics serve) beside the daemon."
  type        = number
  default     = 9464
}

variable "metrics_scraper_security_group_ids" {
  description = "Security groups of the Prometheus servers (or scrapers) that may scrape the ops metrics; none: nothing can."
  type        = list(string)
  default     = []
}
