# Realistic values for the attributes the configuration reads, so plan-mode runs
# can assert on policy documents and outputs (with override_during = plan).

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_region" {
  defaults = {
    name = "us-east-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform"
  }
}

mock_data "aws_availability_zones" {
  defaults = {
    names = ["us-east-1a", "us-east-1b", "us-east-1c"]
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/users"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn                         = "arn:aws:s3:::users-avatars"
    bucket_regional_domain_name = "users-avatars.s3.us-east-1.amazonaws.com"
  }
}

mock_resource "aws_iam_policy" {
  defaults = {
    arn = "arn:aws:iam::123456789012:policy/users-api-app"
  }
}

mock_resource "aws_iam_openid_connect_provider" {
  defaults = {
    arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CREATED"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
    id          = "EDFDVBD6EXAMPLE"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

mock_resource "aws_eks_cluster" {
  defaults = {
    endpoint = "https://EXAMPLE.gr7.us-east-1.eks.amazonaws.com"
    identity = [{
      oidc = [{
        issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/CLUSTER"
      }]
    }]
  }
}

override_resource {
  target = module.workload_iam.aws_iam_role.irsa
  values = {
    arn = "arn:aws:iam::123456789012:role/users-api-irsa"
  }
}

override_resource {
  target = module.workload_iam.aws_iam_role.pod_identity
  values = {
    arn = "arn:aws:iam::123456789012:role/users-api-pod-identity"
  }
}

override_resource {
  target = module.workload_iam.aws_iam_role.lambda
  values = {
    arn = "arn:aws:iam::123456789012:role/users-api-lambda"
  }
}

override_resource {
  target = module.workload_iam.aws_iam_role.lambda_sweep
  values = {
    arn = "arn:aws:iam::123456789012:role/users-api-lambda-sweep"
  }
}

override_resource {
  target = module.eks[0].aws_iam_openid_connect_provider.this
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CLUSTER"
  }
}

# --- Delivery (modules/delivery) ----------------------------------------------

mock_resource "aws_ecr_repository" {
  defaults = {
    arn            = "arn:aws:ecr:us-east-1:123456789012:repository/users-api"
    repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/users-api"
  }
}

override_resource {
  target = module.delivery[0].aws_iam_role.deploy
  values = {
    arn = "arn:aws:iam::123456789012:role/users-api-deploy"
  }
}

override_resource {
  target = module.delivery[0].aws_iam_openid_connect_provider.github[0]
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
}

override_resource {
  target = module.delivery[0].aws_s3_bucket.sam_artifacts
  values = {
    id  = "users-api-sam-artifacts-123456789012-us-east-1"
    arn = "arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1"
  }
}

# --- EKS (modules/eks) ----------------------------------------------------------

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    key_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }
}
