variable "name" {
  description = "Name of the deployment, e.g. lakehouse-prod; the key alias and the log-group prefix it may encrypt."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a scheduled key deletion waits before it happens (7-30)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
