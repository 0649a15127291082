output "address" {
  description = "Host name of the database (DAGSTER_PG_HOST)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database (DAGSTER_PG_PORT)."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name (DAGSTER_PG_DB)."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "RDS master user (for the bootstrap SQL; never DAGSTER_PG_USER)."
  value       = aws_db_instance.this.username
}

output "dagster_username" {
  description = "PostgreSQL role the Dagster instance connects as (DAGSTER_PG_USER)."
  value       = var.dagster_username
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed secret holding the master user's JSON {username, password}; for administrators, never given to a task."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
