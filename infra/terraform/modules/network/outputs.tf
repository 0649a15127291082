output "tasks_security_group_id" {
  description = "Security group of the webserver, daemon and run tasks."
  value       = aws_security_group.this["tasks"].id
}

output "database_security_group_id" {
  description = "Security group of the Dagster instance database."
  value       = aws_security_group.this["database"].id
}

output "webserver_security_group_id" {
  description = "Extra security group of both webservers: their UI port from the load balancer's group only."
  value       = aws_security_group.this["webservers"].id
}

output "load_balancer_security_group_id" {
  description = "Security group of the UI load balancer: 443 and 80 from the allowed CIDRs."
  value       = aws_security_group.this["alb"].id
}

output "metrics_security_group_id" {
  description = "Extra security group of the daemon task: the ops metrics port from the scrapers' groups only."
  value       = aws_security_group.this["metrics"].id
}
