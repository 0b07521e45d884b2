# Where `sam deploy --s3-bucket` uploads the function package and the processed template. Private, encrypted,
# TLS-only, and emptied by a lifecycle rule: CloudFormation only needs a package while it deploys.

locals {
  sam_artifact_bucket_name = coalesce(var.sam_artifact_bucket_name, "${lower(var.name_prefix)}-sam-artifacts-${local.account_id}-${local.region}")
}

resource "aws_s3_bucket" "sam_artifacts" {
  bucket        = local.sam_artifact_bucket_name
  force_destroy = var.force_delete
}

resource "aws_s3_bucket_public_access_block" "sam_artifacts" {
  bucket = aws_s3_bucket.sam_artifacts.id

  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "sam_artifacts" {
  bucket = aws_s3_bucket.sam_artifacts.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "sam_artifacts" {
  bucket = aws_s3_bucket.sam_artifacts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "sam_artifacts" {
  bucket = aws_s3_bucket.sam_artifacts.id

  rule {
    id     = "expire-packages"
    status = "Enabled"

    filter {}

    expiration {
      days = var.sam_artifact_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "sam_artifacts" {
  count = var.deny_insecure_transport ? 1 : 0

  bucket = aws_s3_bucket.sam_artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.sam_artifacts.arn, "${aws_s3_bucket.sam_artifacts.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTls"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.sam_artifacts.arn, "${aws_s3_bucket.sam_artifacts.arn}/*"]
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.sam_artifacts]
}
