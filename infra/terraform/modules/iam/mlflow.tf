# MLflow model artifacts live under the environment's own prefix of the lake bucket
# (LAKEHOUSE_MLFLOW_ARTIFACTS = s3://<bucket>/<mlflow_prefix>): the Dagster runs that train,
# score and judge the churn model read and write there, nothing else does.

variable "mlflow_prefix" {
  description = "Key prefix of the MLflow artifacts, e.g. prod/mlflow (no trailing slash); empty: no MLflow access."
  type        = string
  default     = ""
}

data "aws_iam_policy_document" "mlflow_artifacts" {
  count = var.mlflow_prefix == "" ? 0 : 1

  statement {
    sid       = "ReadWriteMlflowArtifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = ["${var.bucket_arn}/${var.mlflow_prefix}/*"]
  }

  statement {
    sid       = "ListMlflowArtifacts"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.mlflow_prefix}/*"]
    }
  }

  statement {
    sid       = "EncryptedMlflowArtifacts"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "mlflow_artifacts" {
  count  = var.mlflow_prefix == "" ? 0 : 1
  name   = "mlflow-artifacts"
  role   = aws_iam_role.task["runs"].id
  policy = data.aws_iam_policy_document.mlflow_artifacts[0].json
}
