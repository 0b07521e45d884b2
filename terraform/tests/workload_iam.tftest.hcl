# Plan-mode checks of the workload-iam module: least privilege and trust policies.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name_prefix         = "users-api"
  table_arn           = "arn:aws:dynamodb:us-east-1:123456789012:table/users"
  bucket_arn          = "arn:aws:s3:::users-avatars"
  k8s_namespace       = "users"
  k8s_service_account = "users-api"
}

run "app_policy_is_exactly_what_the_code_uses" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_policy.app.policy).Statement : [
        for a in flatten([s.Action]) : [for r in flatten([s.Resource]) : "${s.Effect} ${a} ${r}"]
      ]
      ])) == toset([
      "Allow dynamodb:DescribeTable arn:aws:dynamodb:us-east-1:123456789012:table/users",
      "Allow dynamodb:GetItem arn:aws:dynamodb:us-east-1:123456789012:table/users",
      "Allow dynamodb:PutItem arn:aws:dynamodb:us-east-1:123456789012:table/users",
      "Allow dynamodb:Scan arn:aws:dynamodb:us-east-1:123456789012:table/users",
      "Allow s3:PutObject arn:aws:s3:::users-avatars/avatars/*",
      "Allow s3:GetObject arn:aws:s3:::users-avatars/avatars/*",
      "Allow s3:DeleteObject arn:aws:s3:::users-avatars/avatars/*",
      "Allow s3:ListBucket arn:aws:s3:::users-avatars",
    ])
    error_message = "The app policy must grant exactly the DynamoDB and S3 actions the code uses, on the table, the bucket and avatars/*."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.app.policy).Statement : [
        for v in concat(flatten([s.Action]), flatten([s.Resource])) : !strcontains(v, "*") || endswith(v, "/avatars/*")
      ]
    ]))
    error_message = "No wildcard action or resource, apart from the avatars/* object prefix."
  }

  assert {
    condition     = length([for s in jsondecode(aws_iam_policy.app.policy).Statement : s if contains(keys(s), "NotAction") || contains(keys(s), "NotResource")]) == 0
    error_message = "No NotAction/NotResource in the app policy."
  }
}

run "no_irsa_without_a_cluster" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  assert {
    condition     = length(aws_iam_role.irsa) == 0 && length(aws_iam_openid_connect_provider.eks) == 0 && output.irsa_role_arn == null
    error_message = "Without an OIDC issuer no IRSA role or OIDC provider may be planned."
  }

  assert {
    condition     = length(aws_eks_pod_identity_association.app) == 0
    error_message = "Without a cluster no Pod Identity association may be planned."
  }
}

run "irsa_trusts_only_the_service_account_of_a_created_oidc_provider" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    create_irsa_role     = true
    create_oidc_provider = true
    oidc_issuer_url      = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123"
  }

  assert {
    condition     = aws_iam_openid_connect_provider.eks[0].url == "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123" && toset(aws_iam_openid_connect_provider.eks[0].client_id_list) == toset(["sts.amazonaws.com"])
    error_message = "The OIDC provider must be created from the issuer URL with audience sts.amazonaws.com."
  }

  assert {
    condition = jsondecode(aws_iam_role.irsa[0].assume_role_policy).Statement == [{
      Sid       = "EksServiceAccount"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CREATED" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "oidc.eks.us-east-1.amazonaws.com/id/ABC123:sub" = "system:serviceaccount:users:users-api"
          "oidc.eks.us-east-1.amazonaws.com/id/ABC123:aud" = "sts.amazonaws.com"
        }
      }
    }]
    error_message = "The IRSA trust must allow only AssumeRoleWithWebIdentity for system:serviceaccount:users:users-api with aud sts.amazonaws.com."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.irsa_app[0].policy_arn == "arn:aws:iam::123456789012:policy/users-api-app"
    error_message = "The IRSA role must carry the app policy."
  }
}

run "irsa_uses_an_existing_oidc_provider" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    create_irsa_role     = true
    create_oidc_provider = false
    oidc_issuer_url      = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXISTING/"
    oidc_provider_arn    = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXISTING"
    k8s_namespace        = "apps"
    k8s_service_account  = "users"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.eks) == 0
    error_message = "An existing provider must not be created again."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.irsa[0].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXISTING" &&
      jsondecode(aws_iam_role.irsa[0].assume_role_policy).Statement[0].Condition.StringEquals == {
        "oidc.eks.eu-west-1.amazonaws.com/id/EXISTING:sub" = "system:serviceaccount:apps:users"
        "oidc.eks.eu-west-1.amazonaws.com/id/EXISTING:aud" = "sts.amazonaws.com"
      }
    )
    error_message = "The trust must name the given provider and the issuer's host/path (no scheme, no trailing slash)."
  }
}

run "irsa_without_issuer_is_rejected" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    create_irsa_role = true
  }

  expect_failures = [aws_iam_role.irsa]
}

run "pod_identity_role_and_association" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    create_pod_identity_association = true
    eks_cluster_name                = "prod"
  }

  override_resource {
    target          = aws_iam_role.pod_identity
    override_during = plan
    values = {
      arn = "arn:aws:iam::123456789012:role/users-api-pod-identity"
    }
  }

  assert {
    condition = jsondecode(aws_iam_role.pod_identity[0].assume_role_policy).Statement == [{
      Sid       = "EksPodIdentity"
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = {
          "aws:SourceAccount"                         = "123456789012"
          "aws:RequestTag/kubernetes-namespace"       = "users"
          "aws:RequestTag/kubernetes-service-account" = "users-api"
        }
        ArnLike = { "aws:SourceArn" = "arn:aws:eks:us-east-1:123456789012:cluster/prod" }
      }
    }]
    error_message = "The Pod Identity role must trust pods.eks.amazonaws.com (sts:AssumeRole, sts:TagSession) for this account, the cluster prod and users/users-api only."
  }

  assert {
    condition = (
      aws_eks_pod_identity_association.app[0].cluster_name == "prod" &&
      aws_eks_pod_identity_association.app[0].namespace == "users" &&
      aws_eks_pod_identity_association.app[0].service_account == "users-api" &&
      aws_eks_pod_identity_association.app[0].role_arn == "arn:aws:iam::123456789012:role/users-api-pod-identity"
    )
    error_message = "The association must bind users/users-api on the cluster to the Pod Identity role."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.pod_identity_app[0].policy_arn == "arn:aws:iam::123456789012:policy/users-api-app"
    error_message = "The Pod Identity role must carry the app policy."
  }
}

run "lambda_role_writes_logs_and_traces" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  assert {
    condition = jsondecode(aws_iam_role.lambda[0].assume_role_policy).Statement == [{
      Sid       = "LambdaService"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
    error_message = "The Lambda role must trust lambda.amazonaws.com only."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.lambda_app[0].policy_arn == "arn:aws:iam::123456789012:policy/users-api-app"
    error_message = "The Lambda role must carry the app policy."
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.lambda_runtime[0].policy).Statement : [
        for a in flatten([s.Action]) : "${a} ${s.Resource}"
      ]
      ])) == toset([
      "logs:CreateLogGroup arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*",
      "logs:CreateLogStream arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:log-stream:*",
      "logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:log-stream:*",
      "xray:PutTelemetryRecords *",
      "xray:PutTraceSegments *",
    ])
    error_message = "The Lambda runtime policy must allow writing its logs under /aws/lambda/ and X-Ray segments, nothing more."
  }
}

run "sweep_role_scans_lists_and_removes_avatars_only" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  assert {
    condition     = aws_iam_role.lambda_sweep[0].assume_role_policy == aws_iam_role.lambda[0].assume_role_policy
    error_message = "The sweep role must trust lambda.amazonaws.com only, as the API function's."
  }

  assert {
    condition = jsondecode(aws_iam_policy.sweep[0].policy).Statement == [
      { Sid = "ScanTheUsers", Effect = "Allow", Action = "dynamodb:Scan", Resource = "arn:aws:dynamodb:us-east-1:123456789012:table/users" },
      { Sid = "ListTheAvatars", Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::users-avatars", Condition = { StringEquals = { "s3:prefix" = "avatars/" } } },
      { Sid = "RemoveOrphanedAvatars", Effect = "Allow", Action = "s3:DeleteObject", Resource = "arn:aws:s3:::users-avatars/avatars/*" },
    ]
    error_message = "The sweep policy must allow exactly Scan on the table, ListBucket under avatars/ and DeleteObject on avatars/*."
  }

  assert {
    condition     = aws_iam_role_policy.lambda_sweep_runtime[0].policy == aws_iam_role_policy.lambda_runtime[0].policy && aws_iam_role_policy_attachment.lambda_sweep[0].role == aws_iam_role.lambda_sweep[0].name
    error_message = "The sweep role must carry the sweep policy and the same logs-and-traces policy as the API function's."
  }
}

run "lambda_logs_narrowed_by_function_prefix" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    lambda_function_name_prefix = "users-api-"
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.lambda_runtime[0].policy).Statement[0].Resource == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/users-api-*"
    error_message = "lambda_function_name_prefix must narrow the log groups."
  }
}

run "roles_can_be_switched_off" {
  command = plan

  module {
    source = "./modules/workload-iam"
  }

  variables {
    create_pod_identity_role = false
    create_lambda_role       = false
  }

  assert {
    condition     = length(aws_iam_role.pod_identity) == 0 && length(aws_iam_role.lambda) == 0 && length(aws_iam_role.lambda_sweep) == 0 && output.lambda_role_arn == null && output.lambda_sweep_role_arn == null && output.pod_identity_role_arn == null
    error_message = "Switched-off roles must not be planned and their outputs must be null."
  }
}
