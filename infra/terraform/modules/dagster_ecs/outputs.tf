output "cluster_name" {
  description = "ECS cluster running the Dagster tasks."
  value       = aws_ecs_cluster.this.name
}

output "ecr_repository_url" {
  description = "Push the code-location image here (tag = image_tag)."
  value       = aws_ecr_repository.this.repository_url
}

output "run_task_definition_family" {
  description = "Task definition EcsRunLauncher starts for every run."
  value       = aws_ecs_task_definition.this["run"].family
}

output "webserver_service_name" {
  description = "ECS service of the operators' Dagster webserver."
  value       = aws_ecs_service.this["webserver"].name
}

output "webserver_read_only_service_name" {
  description = "ECS service of the viewers' read-only Dagster webserver."
  value       = aws_ecs_service.this["webserver_read_only"].name
}

output "daemon_service_name" {
  description = "ECS service of the Dagster daemon."
  value       = aws_ecs_service.this["daemon"].name
}

output "log_group_names" {
  description = "CloudWatch log groups by component (webserver, daemon, runs)."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}
