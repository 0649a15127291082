variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC the tasks and the database live in."
  type        = string
}

variable "webserver_port" {
  description = "Port the Dagster webserver listens on."
  type        = number
  default     = 3000
}

variable "webserver_ingress_cidrs" {
  description = "Private CIDRs (VPN, office) allowed to reach the Dagster UI; empty means none."
  type        = list(string)
  default     = []
  validation {
    condition     = !contains(var.webserver_ingress_cidrs, "0.0.0.0/0")
    error_message = "The Dagster UI has no authentication of its own: never open it to 0.0.0.0/0."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
