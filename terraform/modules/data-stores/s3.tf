# Avatars bucket: private, encrypted, versioned, TLS-only. Objects live under avatars/.
resource "aws_s3_bucket" "avatars" {
  bucket = var.bucket_name

  # Teardown: with deletion protection off, destroy also removes objects and versions.
  force_destroy = !var.deletion_protection
}

# No public access at all, whatever an ACL or a policy may later say.
resource "aws_s3_bucket_public_access_block" "avatars" {
  bucket = aws_s3_bucket.avatars.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs disabled: the bucket owner owns every object; access is by policy only.
resource "aws_s3_bucket_ownership_controls" "avatars" {
  bucket = aws_s3_bucket.avatars.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Default encryption (SSE-S3) for every object written.
resource "aws_s3_bucket_server_side_encryption_configuration" "avatars" {
  bucket = aws_s3_bucket.avatars.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
    bucket_key_enabled = true
  }
}

# Versioning: an overwritten or deleted avatar can be recovered until it expires.
resource "aws_s3_bucket_versioning" "avatars" {
  bucket = aws_s3_bucket.avatars.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "avatars" {
  bucket = aws_s3_bucket.avatars.id

  # Old versions cost money forever unless expired.
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  # Parts of failed uploads are invisible but billed.
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.avatars]
}

locals {
  bucket_arns = [aws_s3_bucket.avatars.arn, "${aws_s3_bucket.avatars.arn}/*"]

  # Deny anything not over TLS 1.2+ (switchable only for plain-HTTP emulators, see
  # deny_insecure_transport); with CloudFront, let only this distribution read avatars.
  bucket_policy_statements = concat(
    var.deny_insecure_transport ? [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = local.bucket_arns
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "DenyOutdatedTls"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = local.bucket_arns
        Condition = { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      },
    ] : [],
    [
      for distribution in aws_cloudfront_distribution.avatars : {
        Sid       = "AllowCloudFrontReadAvatars"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.avatars.arn}/${var.avatars_prefix}*"
        Condition = { StringEquals = { "AWS:SourceArn" = distribution.arn } }
      }
    ],
  )
}

resource "aws_s3_bucket_policy" "avatars" {
  count = var.deny_insecure_transport || var.enable_cloudfront ? 1 : 0

  bucket = aws_s3_bucket.avatars.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.bucket_policy_statements
  })

  # A policy written before the public access block could be judged "public" in between.
  depends_on = [aws_s3_bucket_public_access_block.avatars]
}
