locals {
  # An endpoint URL means an emulator (LocalStack, moto): dummy credentials, no
  # metadata/STS look-ups before the first call, path-style S3.
  emulated = var.aws_endpoint_url != null
}

provider "aws" {
  region = var.aws_region

  access_key                  = local.emulated ? "test" : null
  secret_key                  = local.emulated ? "test" : null
  skip_credentials_validation = local.emulated
  skip_metadata_api_check     = local.emulated
  skip_requesting_account_id  = local.emulated
  s3_use_path_style           = local.emulated

  # Every service this configuration calls, pointed at the emulator when one is set;
  # null keeps the provider's default (real AWS) endpoint.
  endpoints {
    cloudfront = var.aws_endpoint_url
    cloudwatch = var.aws_endpoint_url # observability: alarms and dashboard (modules/data-stores/alarms.tf)
    dynamodb   = var.aws_endpoint_url
    ec2        = var.aws_endpoint_url
    ecr        = var.aws_endpoint_url
    eks        = var.aws_endpoint_url
    iam        = var.aws_endpoint_url
    kms        = var.aws_endpoint_url
    logs       = var.aws_endpoint_url
    s3         = var.aws_endpoint_url
    sns        = var.aws_endpoint_url # observability: the alarm topic
    sts        = var.aws_endpoint_url
  }

  default_tags {
    tags = merge({
      Project   = "users-api"
      ManagedBy = "terraform"
    }, var.tags)
  }
}
