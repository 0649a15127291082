output "urls" {
  description = "Address of the Dagster UI for each audience (operators: full, viewers: read-only)."
  value       = { for audience, a in local.audiences : audience => "https://${a.host}" }
}

output "load_balancer_dns_name" {
  description = "DNS name of the UI load balancer (the target of the audiences' DNS records)."
  value       = aws_lb.this.dns_name
}

output "load_balancer_zone_id" {
  description = "Route 53 zone of the UI load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "target_group_arns" {
  description = "Target group of each audience (operators, viewers), to register its webserver service in."
  value       = { for audience, group in aws_lb_target_group.this : audience => group.arn }
  # ECS refuses a target group that no listener uses yet.
  depends_on = [aws_lb_listener_rule.audience]
}
