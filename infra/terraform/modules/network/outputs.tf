output "tasks_security_group_id" {
  description = "Security group of the webserver, daemon and run tasks."
  value       = aws_security_group.this["tasks"].id
}

output "database_security_group_id" {
  description = "Security group of the Dagster instance database."
  value       = aws_security_group.this["database"].id
}

output "webserver_security_group_id" {
  description = "Extra security group of the webserver: its UI port from the allowed CIDRs."
  value       = aws_security_group.this["webserver"].id
}
