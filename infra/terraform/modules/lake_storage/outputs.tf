output "bucket_name" {
  description = "Name of the lake bucket."
  value       = aws_s3_bucket.lake.id
}

output "bucket_arn" {
  description = "ARN of the lake bucket."
  value       = aws_s3_bucket.lake.arn
}

output "lake_prefix" {
  description = "Key prefix of the Delta tables (no trailing slash)."
  value       = local.lake_prefix
}

output "landing_prefix" {
  description = "Key prefix of the landing files (no trailing slash)."
  value       = local.landing_prefix
}

output "lake_uri" {
  description = "LAKEHOUSE_ROOT for this environment."
  value       = "s3://${aws_s3_bucket.lake.id}/${local.lake_prefix}"
}

output "landing_uri" {
  description = "LAKEHOUSE_LANDING for this environment."
  value       = "s3://${aws_s3_bucket.lake.id}/${local.landing_prefix}"
}

output "access_log_bucket_name" {
  description = "Bucket receiving the lake bucket's server access logs and the UI load balancer's access logs."
  value       = aws_s3_bucket.access_logs.id
  # The load balancer checks at creation that it may write there: only once the policy is in place.
  depends_on = [aws_s3_bucket_policy.this]
}

output "load_balancer_log_prefix" {
  description = "Key prefix of the UI load balancer's access logs in the access-log bucket (no trailing slash)."
  value       = local.load_balancer_log_prefix
}
