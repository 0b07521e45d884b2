# Plan-mode checks of the delivery module: who may assume the deploy role, and what it may do.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

override_resource {
  target          = aws_iam_openid_connect_provider.github[0]
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }
}

override_resource {
  target          = aws_s3_bucket.sam_artifacts
  override_during = plan
  values = {
    id  = "users-api-sam-artifacts-123456789012-us-east-1"
    arn = "arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1"
  }
}

variables {
  name_prefix       = "users-api"
  github_repository = "acme/users-api"
  lambda_role_arn   = "arn:aws:iam::123456789012:role/users-api-lambda"
  eks_cluster_name  = "prod"
}

run "trust_pins_audience_and_the_production_environment" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  assert {
    condition = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement == [{
      Sid       = "GitHubActionsDeployEnvironment"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/users-api:environment:production"
        }
        StringLike = {
          "token.actions.githubusercontent.com:job_workflow_ref" = "acme/users-api/.github/workflows/release.yml@refs/tags/v*"
        }
      }
    }]
    error_message = "The deploy role must trust only AssumeRoleWithWebIdentity from GitHub with aud sts.amazonaws.com, sub repo:acme/users-api:environment:production (StringEquals) and the release workflow at a v* tag (job_workflow_ref)."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "The GitHub OIDC provider must be token.actions.githubusercontent.com with audience sts.amazonaws.com."
  }

  assert {
    condition     = output.deploy_subject == "repo:acme/users-api:environment:production"
    error_message = "deploy_subject must name the trusted subject."
  }
}

run "an_existing_oidc_provider_is_reused" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  variables {
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    github_environment       = "prod-eu"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "With github_oidc_provider_arn no provider may be created."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" &&
      jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:acme/users-api:environment:prod-eu"
    )
    error_message = "The trust must name the given provider and the configured environment."
  }
}

run "policy_is_scoped_to_this_repository_stack_bucket_cluster_and_role" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_policy.deploy.policy).Statement : [
        for a in flatten([s.Action]) : [for r in flatten([s.Resource]) : "${s.Effect} ${a} ${r}"]
      ]
      ])) == toset(concat(
      ["Allow ecr:GetAuthorizationToken *"],
      [for a in ["BatchCheckLayerAvailability", "BatchGetImage", "CompleteLayerUpload", "DescribeImages", "GetDownloadUrlForLayer", "InitiateLayerUpload", "PutImage", "UploadLayerPart"] :
      "Allow ecr:${a} arn:aws:ecr:us-east-1:123456789012:repository/users-api"],
      [for a in ["CreateChangeSet", "DeleteChangeSet", "DescribeChangeSet", "DescribeStackEvents", "DescribeStacks", "ExecuteChangeSet", "GetTemplate", "GetTemplateSummary", "ListStackResources"] :
      "Allow cloudformation:${a} arn:aws:cloudformation:us-east-1:123456789012:stack/users-api/*"],
      ["Allow cloudformation:CreateChangeSet arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31"],
      ["Allow s3:GetBucketLocation arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1",
        "Allow s3:ListBucket arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1",
        "Allow s3:GetObject arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1/*",
        "Allow s3:GetObjectVersion arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1/*",
      "Allow s3:PutObject arn:aws:s3:::users-api-sam-artifacts-123456789012-us-east-1/*"],
      [for a in ["AddPermission", "CreateFunction", "DeleteFunction", "DeleteFunctionConcurrency", "GetFunction", "GetFunctionCodeSigningConfig", "GetFunctionConfiguration", "GetFunctionRecursionConfig", "GetFunctionScalingConfig", "GetPolicy", "GetRuntimeManagementConfig", "ListTags", "PublishVersion", "PutFunctionConcurrency", "PutFunctionRecursionConfig", "PutRuntimeManagementConfig", "RemovePermission", "TagResource", "UntagResource", "UpdateFunctionCode", "UpdateFunctionConfiguration"] :
      "Allow lambda:${a} arn:aws:lambda:us-east-1:123456789012:function:users-api-*"],
      flatten([for m in ["DELETE", "GET", "PATCH", "POST", "PUT"] : [for r in ["/apis", "/apis/*", "/restapis", "/restapis/*", "/tags/*"] : "Allow apigateway:${m} arn:aws:apigateway:us-east-1::${r}"]]),
      [for a in ["CreateTopic", "DeleteTopic", "GetDataProtectionPolicy", "GetSubscriptionAttributes", "GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource", "PutDataProtectionPolicy", "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe", "TagResource", "Unsubscribe", "UntagResource"] :
      "Allow sns:${a} arn:aws:sns:us-east-1:123456789012:users-api-*"],
      [for a in ["DeleteRule", "DescribeRule", "ListTagsForResource", "ListTargetsByRule", "PutRule", "PutTargets", "RemoveTargets", "TagResource", "UntagResource"] :
      "Allow events:${a} arn:aws:events:us-east-1:123456789012:rule/users-api-*"],
      flatten([for a in ["DeleteAlarms", "DeleteDashboards", "DescribeAlarms", "GetDashboard", "ListTagsForResource", "PutDashboard", "PutMetricAlarm", "TagResource", "UntagResource"] : [
        "Allow cloudwatch:${a} arn:aws:cloudwatch:us-east-1:123456789012:alarm:users-api-*",
        "Allow cloudwatch:${a} arn:aws:cloudwatch::123456789012:dashboard/users-api-*",
      ]]),
      ["Allow eks:DescribeCluster arn:aws:eks:us-east-1:123456789012:cluster/prod"],
      ["Allow iam:PassRole arn:aws:iam::123456789012:role/users-api-lambda"],
    ))
    error_message = "The deploy policy must grant exactly: ECR push on this repository (+ the login token), this stack and the Serverless transform, the artifact bucket, the handler permissions of the stack's functions, APIs, schedule, alarm topic, alarms and dashboard, DescribeCluster on this cluster, PassRole on the Lambda role."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.deploy.policy).Statement :
      s.Resource != "*" || s.Action == "ecr:GetAuthorizationToken"
    ]) && length([for s in jsondecode(aws_iam_policy.deploy.policy).Statement : s if contains(keys(s), "NotAction") || contains(keys(s), "NotResource") || s.Effect != "Allow"]) == 0
    error_message = "Only ecr:GetAuthorizationToken may take Resource \"*\"; no NotAction/NotResource/Deny tricks."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_policy.deploy.policy).Statement : s.Condition if s.Sid == "PassTheLambdaRoleToLambda"]) == {
      StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" }
    }
    error_message = "iam:PassRole must be limited to passing the Lambda role to lambda.amazonaws.com."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.deploy.policy).Statement :
      s.Condition == { "ForAnyValue:StringEquals" = { "aws:CalledVia" = ["cloudformation.amazonaws.com"] } }
      if startswith(s.Sid, "SamStack") && s.Sid != "SamStack"
    ])
    error_message = "The stack's resource rights (Lambda, API Gateway, SNS, CloudWatch) must apply only to calls made through CloudFormation."
  }

  assert {
    condition     = aws_iam_role_policy_attachment.deploy.role == aws_iam_role.deploy.name && aws_iam_role.deploy.max_session_duration == 3600
    error_message = "The deploy policy must be attached to the deploy role (1 h sessions)."
  }
}

run "the_sweep_role_is_passed_to_lambda_too" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  variables {
    sweep_role_arn = "arn:aws:iam::123456789012:role/users-api-lambda-sweep"
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_policy.deploy.policy).Statement : s if s.Sid == "PassTheLambdaRoleToLambda"]) == {
      Sid       = "PassTheLambdaRoleToLambda"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = ["arn:aws:iam::123456789012:role/users-api-lambda", "arn:aws:iam::123456789012:role/users-api-lambda-sweep"]
      Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
    }
    error_message = "The deploy role must pass both Lambda roles, and only to lambda.amazonaws.com."
  }
}

run "no_eks_or_pass_role_statements_without_a_cluster_or_lambda_role" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  variables {
    lambda_role_arn  = null
    eks_cluster_name = null
  }

  assert {
    condition = length([for s in jsondecode(aws_iam_policy.deploy.policy).Statement : s if anytrue([
      for a in flatten([s.Action]) : startswith(a, "eks:") || startswith(a, "iam:")
    ])]) == 0
    error_message = "Without a cluster and a Lambda role the policy must hold no eks: or iam: action."
  }

  assert {
    condition     = length(aws_eks_access_entry.deploy) == 0 && length(aws_eks_access_policy_association.deploy) == 0
    error_message = "No access entry unless asked for."
  }
}

run "access_entry_is_scoped_to_the_release_namespace" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  variables {
    create_eks_access_entry = true
    release_namespace       = "users"
  }

  assert {
    condition     = aws_eks_access_entry.deploy[0].cluster_name == "prod" && aws_eks_access_entry.deploy[0].type == "STANDARD"
    error_message = "The access entry must be a STANDARD entry on the cluster."
  }

  assert {
    condition = (
      aws_eks_access_policy_association.deploy[0].policy_arn == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy" &&
      aws_eks_access_policy_association.deploy[0].access_scope[0].type == "namespace" &&
      aws_eks_access_policy_association.deploy[0].access_scope[0].namespaces == toset(["users"])
    )
    error_message = "The deploy role may edit the release namespace only (AmazonEKSEditPolicy, namespace scope)."
  }
}

run "ecr_repository_is_immutable_scanned_encrypted_and_pruned" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  assert {
    condition = (
      aws_ecr_repository.app.name == "users-api" &&
      aws_ecr_repository.app.image_tag_mutability == "IMMUTABLE" &&
      aws_ecr_repository.app.image_scanning_configuration[0].scan_on_push &&
      aws_ecr_repository.app.encryption_configuration[0].encryption_type == "KMS" &&
      !aws_ecr_repository.app.force_delete
    )
    error_message = "The repository must have immutable tags, scan on push, KMS encryption and no force delete by default."
  }

  assert {
    condition = [for r in jsondecode(aws_ecr_lifecycle_policy.app.policy).rules : [r.selection.tagStatus, r.selection.countType, r.selection.countNumber, r.action.type]] == [
      ["untagged", "sinceImagePushed", 14, "expire"],
      ["tagged", "imageCountMoreThan", 50, "expire"],
    ]
    error_message = "The lifecycle policy must expire untagged images after 14 days and keep the last 50 release images."
  }
}

run "artifact_bucket_is_private_encrypted_tls_only_and_expiring" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  assert {
    condition = (
      aws_s3_bucket.sam_artifacts.bucket == "users-api-sam-artifacts-123456789012-us-east-1" &&
      aws_s3_bucket_public_access_block.sam_artifacts.block_public_acls && aws_s3_bucket_public_access_block.sam_artifacts.block_public_policy &&
      aws_s3_bucket_public_access_block.sam_artifacts.ignore_public_acls && aws_s3_bucket_public_access_block.sam_artifacts.restrict_public_buckets
    )
    error_message = "The artifact bucket must be named per account and region, with every public access block flag on."
  }

  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.sam_artifacts[0].policy).Statement : s.Effect] == ["Deny", "Deny"]
    error_message = "The artifact bucket policy must only deny non-TLS and TLS < 1.2 requests."
  }

  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.sam_artifacts.rule : r.expiration[0].days]) == 90
    error_message = "SAM packages must expire after 90 days."
  }
}

run "rejects_a_wildcard_repository_or_environment" {
  command = plan

  module {
    source = "./modules/delivery"
  }

  variables {
    github_repository  = "acme/*"
    github_environment = "*"
  }

  expect_failures = [var.github_repository, var.github_environment]
}

run "root_outputs_the_github_variables_when_enabled" {
  command = plan

  variables {
    create_delivery   = true
    github_repository = "acme/users-api"
    eks_cluster_name  = "prod"
  }

  assert {
    condition = output.github_actions_variables == tomap({
      AWS_REGION              = "us-east-1"
      AWS_DEPLOY_ROLE_ARN     = "arn:aws:iam::123456789012:role/users-api-deploy"
      ECR_REPOSITORY_URL      = "123456789012.dkr.ecr.us-east-1.amazonaws.com/users-api"
      SAM_STACK_NAME          = "users-api"
      SAM_ARTIFACT_BUCKET     = "users-api-sam-artifacts-123456789012-us-east-1"
      SAM_PARAMETER_OVERRIDES = "UsersTableName=users AvatarsBucketName=users-avatars LambdaRoleArn=arn:aws:iam::123456789012:role/users-api-lambda SweepRoleArn=arn:aws:iam::123456789012:role/users-api-lambda-sweep"
      K8S_NAMESPACE           = "users"
      HELM_SET_FLAGS          = "--set config.usersTableName=users --set config.avatarsBucketName=users-avatars --set config.awsRegion=us-east-1"
      EKS_CLUSTER_NAME        = "prod"
    })
    error_message = "github_actions_variables must hold every value release.yml reads, got ${jsonencode(output.github_actions_variables)}"
  }

  assert {
    condition     = output.deploy_role_arn == "arn:aws:iam::123456789012:role/users-api-deploy" && output.ecr_repository_url == "123456789012.dkr.ecr.us-east-1.amazonaws.com/users-api"
    error_message = "The root must output the deploy role and the repository URL."
  }
}

run "delivery_is_off_by_default" {
  command = plan

  assert {
    condition     = output.github_actions_variables == {} && output.deploy_role_arn == null && output.ecr_repository_url == null
    error_message = "Without create_delivery nothing of delivery may be planned."
  }
}
