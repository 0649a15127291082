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

output "username" {
  description = "User name (DAGSTER_PG_USER)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed secret holding the master user's JSON {username, password}."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
