# The environment's lake bucket (landing files under <env>/landing/, Delta tables under
# <env>/lake/) and the bucket its access logs go to (and the UI load balancer's, under
# load-balancer/). Concurrent commits to one Delta table need no lock table: delta-rs commits
# with S3 conditional writes (AWS_CONDITIONAL_PUT=etag).
# Both buckets get the same settings (for_each over local.buckets); where they differ, the value
# is in local.buckets.

data "aws_caller_identity" "current" {}

locals {
  lake_prefix    = "${var.environment}/lake"
  landing_prefix = "${var.environment}/landing"
  # Where the UI load balancer writes its access logs in the access-log bucket.
  load_balancer_log_prefix = "load-balancer"

  buckets = {
    lake = {
      id  = aws_s3_bucket.lake.id
      arn = aws_s3_bucket.lake.arn
      # SSE-KMS with the environment's key, bucket keys to cut KMS requests.
      sse_algorithm      = "aws:kms"
      kms_master_key_id  = var.kms_key_arn
      bucket_key_enabled = true
      # Files replaced or vacuumed by Delta stay recoverable for this long, then go.
      lifecycle_rule_id             = "expire-noncurrent-versions"
      noncurrent_days               = var.noncurrent_version_expiration_days
      expiration_days               = null
      expired_object_delete_marker  = true
      extra_bucket_policy_documents = []
    }
    access_logs = {
      id  = aws_s3_bucket.access_logs.id
      arn = aws_s3_bucket.access_logs.arn
      # S3 server access logging cannot deliver to a bucket encrypted with SSE-KMS.
      sse_algorithm                 = "AES256"
      kms_master_key_id             = null
      bucket_key_enabled            = null
      lifecycle_rule_id             = "expire-access-logs"
      noncurrent_days               = 30
      expiration_days               = var.access_log_retention_days
      expired_object_delete_marker  = null
      extra_bucket_policy_documents = [data.aws_iam_policy_document.access_log_delivery.json]
    }
  }
}

resource "aws_s3_bucket" "lake" {
  #checkov:skip=CKV_AWS_144: cross-region replication is a disaster-recovery cost decision per deployment; versioning + noncurrent retention cover operator error
  bucket        = var.bucket_name
  force_destroy = false
  tags          = merge(var.tags, { Name = var.bucket_name, Environment = var.environment })
}

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18: this bucket is the access-log target; logging it into itself would loop
  #checkov:skip=CKV_AWS_144: access logs are not replicated (audit copies belong in the organisation's log archive)
  #checkov:skip=CKV2_AWS_62: nothing reacts to access-log objects, so no event notifications
  #checkov:skip=CKV_AWS_145: S3 server access logging can only deliver to SSE-S3 buckets, not SSE-KMS
  bucket        = "${var.bucket_name}-access-logs"
  force_destroy = false
  tags          = merge(var.tags, { Name = "${var.bucket_name}-access-logs", Environment = var.environment })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = local.buckets
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.value.sse_algorithm
      kms_master_key_id = each.value.kms_master_key_id
    }
    bucket_key_enabled = each.value.bucket_key_enabled
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each   = local.buckets
  bucket     = each.value.id
  depends_on = [aws_s3_bucket_versioning.this]

  rule {
    id     = each.value.lifecycle_rule_id
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = each.value.noncurrent_days
    }
    expiration {
      days                         = each.value.expiration_days
      expired_object_delete_marker = each.value.expired_object_delete_marker
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_logging" "lake" {
  bucket        = aws_s3_bucket.lake.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${var.bucket_name}/"
}

# Object-created events go to EventBridge, so a landing sensor or an alert can react to them.
resource "aws_s3_bucket_notification" "lake" {
  bucket      = aws_s3_bucket.lake.id
  eventbridge = true
}

# S3 server access logging may write the lake bucket's logs into the access-log bucket, and
# Elastic Load Balancing the UI load balancer's under load-balancer/ (its log delivery service
# principal, which AWS accepts in every region; ALB logs can only go to SSE-S3 buckets).
data "aws_iam_policy_document" "access_log_delivery" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.lake.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }

  statement {
    sid       = "LoadBalancerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/${local.load_balancer_log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

# Every bucket refuses plain HTTP, after the bucket's own statements (if any).
data "aws_iam_policy_document" "bucket" {
  for_each                = local.buckets
  source_policy_documents = each.value.extra_bucket_policy_documents

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each   = local.buckets
  bucket     = each.value.id
  policy     = data.aws_iam_policy_document.bucket[each.key].json
  depends_on = [aws_s3_bucket_public_access_block.this]
}
