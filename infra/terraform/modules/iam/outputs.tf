output "execution_role_arn" {
  description = "Task execution role shared by all tasks."
  value       = aws_iam_role.task["execution"].arn
}

output "runs_role_arn" {
  description = "Task role of every Dagster run task."
  value       = aws_iam_role.task["runs"].arn
}

output "daemon_role_arn" {
  description = "Task role of the Dagster daemon."
  value       = aws_iam_role.task["daemon"].arn
}

output "webserver_role_arn" {
  description = "Task role of the operators' Dagster webserver."
  value       = aws_iam_role.task["webserver"].arn
}

output "webserver_read_only_role_arn" {
  description = "Task role of the viewers' read-only Dagster webserver."
  value       = aws_iam_role.task["webserver_read_only"].arn
}

output "analysts_policy_arn" {
  description = "Managed policy granting read-only access to gold."
  value       = aws_iam_policy.analysts.arn
}

output "analysts_role_arn" {
  description = "Role analysts assume (null when no principals were given)."
  value       = try(aws_iam_role.analysts[0].arn, null)
}
