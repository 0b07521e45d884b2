# Input validation: bad values are rejected at plan time.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "rejects_a_bad_region" {
  command = plan
  variables {
    aws_region = "useast1"
  }
  expect_failures = [var.aws_region]
}

run "rejects_an_endpoint_with_a_path" {
  command = plan
  variables {
    aws_endpoint_url = "127.0.0.1:4566/api"
  }
  expect_failures = [var.aws_endpoint_url]
}

run "accepts_an_emulator_endpoint" {
  command = plan
  variables {
    aws_endpoint_url = "http://127.0.0.1:4566"
  }
  assert {
    condition     = output.table_name == "users"
    error_message = "An emulator endpoint must be accepted."
  }
}

run "rejects_a_bad_bucket_name" {
  command = plan
  variables {
    bucket_name = "Users_Avatars"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_an_ip_like_bucket_name" {
  command = plan
  variables {
    bucket_name = "192.168.1.10"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_a_short_table_name" {
  command = plan
  variables {
    table_name = "u"
  }
  expect_failures = [var.table_name]
}

run "rejects_zero_expiry_days" {
  command = plan
  variables {
    noncurrent_version_expiration_days     = 0
    abort_incomplete_multipart_upload_days = 1.5
  }
  expect_failures = [var.noncurrent_version_expiration_days, var.abort_incomplete_multipart_upload_days]
}

run "rejects_a_bad_namespace" {
  command = plan
  variables {
    k8s_namespace = "Users_NS"
  }
  expect_failures = [var.k8s_namespace]
}

run "rejects_a_plain_http_issuer" {
  command = plan
  variables {
    oidc_issuer_url = "http://oidc.eks.us-east-1.amazonaws.com/id/ABC"
  }
  expect_failures = [var.oidc_issuer_url]
}

run "rejects_a_malformed_provider_arn" {
  command = plan
  variables {
    oidc_issuer_url   = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
    oidc_provider_arn = "arn:aws:iam::123:role/not-a-provider"
  }
  expect_failures = [var.oidc_provider_arn]
}

run "rejects_a_bad_price_class" {
  command = plan
  variables {
    cloudfront_price_class = "PriceClass_1000"
  }
  expect_failures = [var.cloudfront_price_class]
}

run "rejects_inconsistent_node_counts" {
  command = plan
  variables {
    eks_node_count = { desired = 5, min = 1, max = 3 }
  }
  expect_failures = [var.eks_node_count]
}

run "rejects_a_bad_vpc_cidr" {
  command = plan
  variables {
    eks_vpc_cidr = "10.0.0.0/8"
  }
  expect_failures = [var.eks_vpc_cidr]
}

run "rejects_a_bad_name_prefix" {
  command = plan
  variables {
    name_prefix = "1-users"
  }
  expect_failures = [var.name_prefix]
}
