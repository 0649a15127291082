# State addresses from before the per-bucket settings became for_each. Remove once every
# environment has applied this version.

moved {
  from = aws_s3_bucket_public_access_block.lake
  to   = aws_s3_bucket_public_access_block.this["lake"]
}

moved {
  from = aws_s3_bucket_public_access_block.access_logs
  to   = aws_s3_bucket_public_access_block.this["access_logs"]
}

moved {
  from = aws_s3_bucket_versioning.lake
  to   = aws_s3_bucket_versioning.this["lake"]
}

moved {
  from = aws_s3_bucket_versioning.access_logs
  to   = aws_s3_bucket_versioning.this["access_logs"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.lake
  to   = aws_s3_bucket_server_side_encryption_configuration.this["lake"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.access_logs
  to   = aws_s3_bucket_server_side_encryption_configuration.this["access_logs"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.lake
  to   = aws_s3_bucket_lifecycle_configuration.this["lake"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.access_logs
  to   = aws_s3_bucket_lifecycle_configuration.this["access_logs"]
}

moved {
  from = aws_s3_bucket_policy.lake
  to   = aws_s3_bucket_policy.this["lake"]
}

moved {
  from = aws_s3_bucket_policy.access_logs
  to   = aws_s3_bucket_policy.this["access_logs"]
}
