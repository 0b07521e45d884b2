# Plan-mode checks of the data-stores module's security settings.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  table_name  = "users"
  bucket_name = "users-avatars"
}

run "table_is_on_demand_encrypted_recoverable_and_protected" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  assert {
    condition     = aws_dynamodb_table.users.name == "users" && aws_dynamodb_table.users.hash_key == "email" && aws_dynamodb_table.users.range_key == null
    error_message = "The table must be `users`, keyed by `email` only."
  }

  assert {
    condition     = length(aws_dynamodb_table.users.attribute) == 1 && one(aws_dynamodb_table.users.attribute).name == "email" && one(aws_dynamodb_table.users.attribute).type == "S"
    error_message = "The only attribute definition must be email (S)."
  }

  assert {
    condition     = aws_dynamodb_table.users.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must be on-demand (PAY_PER_REQUEST)."
  }

  assert {
    condition     = one(aws_dynamodb_table.users.server_side_encryption).enabled == true
    error_message = "Server-side encryption (KMS) must be enabled."
  }

  assert {
    condition     = one(aws_dynamodb_table.users.point_in_time_recovery).enabled == true
    error_message = "Point-in-time recovery must be enabled."
  }

  assert {
    condition     = aws_dynamodb_table.users.deletion_protection_enabled == true
    error_message = "Deletion protection must be on by default."
  }

  assert {
    condition     = aws_s3_bucket.avatars.force_destroy == false
    error_message = "The bucket must not be force-destroyable while deletion protection is on."
  }
}

run "bucket_is_private_encrypted_and_versioned" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.avatars.block_public_acls,
      aws_s3_bucket_public_access_block.avatars.block_public_policy,
      aws_s3_bucket_public_access_block.avatars.ignore_public_acls,
      aws_s3_bucket_public_access_block.avatars.restrict_public_buckets,
    ])
    error_message = "All four public access block flags must be true."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.avatars.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "Object ownership must be BucketOwnerEnforced (ACLs disabled)."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.avatars.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "Default encryption must be SSE-S3."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.avatars.versioning_configuration).status == "Enabled"
    error_message = "Versioning must be enabled."
  }
}

run "lifecycle_expires_old_versions_and_aborts_uploads" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    noncurrent_version_expiration_days     = 45
    abort_incomplete_multipart_upload_days = 3
  }

  assert {
    condition     = alltrue([for rule in aws_s3_bucket_lifecycle_configuration.avatars.rule : rule.status == "Enabled"])
    error_message = "Every lifecycle rule must be enabled."
  }

  assert {
    condition = contains([
      for rule in aws_s3_bucket_lifecycle_configuration.avatars.rule :
      [for e in rule.noncurrent_version_expiration : e.noncurrent_days]
    ], [45])
    error_message = "A rule must expire noncurrent versions after noncurrent_version_expiration_days."
  }

  assert {
    condition = contains([
      for rule in aws_s3_bucket_lifecycle_configuration.avatars.rule :
      [for a in rule.abort_incomplete_multipart_upload : a.days_after_initiation]
    ], [3])
    error_message = "A rule must abort incomplete multipart uploads after abort_incomplete_multipart_upload_days."
  }
}

run "bucket_policy_denies_plain_http_and_old_tls" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.avatars[0].policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" && s.Condition == { Bool = { "aws:SecureTransport" = "false" } }
      && toset(s.Resource) == toset(["arn:aws:s3:::users-avatars", "arn:aws:s3:::users-avatars/*"])
    ])
    error_message = "The bucket policy must deny every request with aws:SecureTransport = false on the bucket and its objects."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.avatars[0].policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" && s.Condition == { NumericLessThan = { "s3:TlsVersion" = "1.2" } }
      && toset(s.Resource) == toset(["arn:aws:s3:::users-avatars", "arn:aws:s3:::users-avatars/*"])
    ])
    error_message = "The bucket policy must deny TLS below 1.2."
  }

  assert {
    condition     = length([for s in jsondecode(aws_s3_bucket_policy.avatars[0].policy).Statement : s if s.Effect == "Allow"]) == 0
    error_message = "Without CloudFront the bucket policy must grant nothing."
  }

  assert {
    condition     = length(aws_cloudfront_distribution.avatars) == 0 && length(aws_cloudfront_origin_access_control.avatars) == 0 && output.avatars_public_base_url == null
    error_message = "CloudFront must be off by default."
  }
}

run "teardown_mode_allows_deletion" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    deletion_protection = false
  }

  assert {
    condition     = aws_dynamodb_table.users.deletion_protection_enabled == false && aws_s3_bucket.avatars.force_destroy == true
    error_message = "deletion_protection = false must turn table protection off and let destroy empty the bucket."
  }
}

run "cloudfront_reads_avatars_through_oac_only" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    enable_cloudfront = true
  }

  assert {
    condition = (
      aws_cloudfront_origin_access_control.avatars[0].origin_access_control_origin_type == "s3" &&
      aws_cloudfront_origin_access_control.avatars[0].signing_behavior == "always" &&
      aws_cloudfront_origin_access_control.avatars[0].signing_protocol == "sigv4"
    )
    error_message = "The origin access control must sign every S3 request with SigV4."
  }

  assert {
    condition     = one(aws_cloudfront_distribution.avatars[0].default_cache_behavior).viewer_protocol_policy == "redirect-to-https"
    error_message = "CloudFront must redirect viewers to HTTPS."
  }

  assert {
    condition     = toset(one(aws_cloudfront_distribution.avatars[0].default_cache_behavior).allowed_methods) == toset(["GET", "HEAD"])
    error_message = "CloudFront must be read-only."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.avatars[0].policy).Statement :
      s.Effect == "Allow" && s.Principal == { Service = "cloudfront.amazonaws.com" } && s.Action == "s3:GetObject"
      && s.Resource == "arn:aws:s3:::users-avatars/avatars/*"
      && s.Condition == { StringEquals = { "AWS:SourceArn" = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE" } }
    ])
    error_message = "Only this distribution may read avatars/* (AWS:SourceArn condition)."
  }

  assert {
    condition     = output.avatars_public_base_url == "https://d111111abcdef8.cloudfront.net"
    error_message = "avatars_public_base_url must be the distribution's https URL."
  }
}

run "cloudfront_sends_security_headers_with_every_avatar" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    enable_cloudfront = true
  }

  override_resource {
    target          = aws_cloudfront_response_headers_policy.avatars[0]
    override_during = plan
    values          = { id = "67f7725c-6f97-4210-82d7-5512b31e9d03" }
  }

  assert {
    condition     = one(aws_cloudfront_distribution.avatars[0].default_cache_behavior).response_headers_policy_id == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    error_message = "Every avatar response must go through the security headers policy."
  }

  assert {
    condition     = one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).content_type_options).override == true
    error_message = "X-Content-Type-Options: nosniff must be sent, overriding the origin."
  }

  assert {
    condition     = one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).content_security_policy).content_security_policy == "default-src 'none'" && one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).content_security_policy).override
    error_message = "Content-Security-Policy must be default-src 'none', overriding the origin."
  }

  assert {
    condition     = one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).strict_transport_security).access_control_max_age_sec >= 31536000 && one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).strict_transport_security).override && !one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).strict_transport_security).preload
    error_message = "Strict-Transport-Security must be sent for at least a year (no preload), overriding the origin."
  }

  assert {
    condition     = one(one(aws_cloudfront_response_headers_policy.avatars[0].security_headers_config).frame_options).frame_option == "DENY"
    error_message = "Avatars must not be framed."
  }
}

run "plain_http_emulator_mode_drops_the_tls_statements" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    deny_insecure_transport = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.avatars) == 0
    error_message = "Without the TLS statements and without CloudFront there is no bucket policy."
  }
}

run "cloudfront_without_tls_statements_keeps_only_the_oac_grant" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    deny_insecure_transport = false
    enable_cloudfront       = true
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.avatars[0].policy).Statement : s.Sid] == ["AllowCloudFrontReadAvatars"]
    error_message = "Only the CloudFront grant must remain."
  }
}
