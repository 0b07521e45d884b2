# What a release does, and nothing else:
#   - push the image to this one repository (the registry login token has no resource: "*");
#   - read the cluster endpoint for kubectl/helm (eks:DescribeCluster on this cluster; Kubernetes rights come from
#     the access entry in eks_access.tf, or from the cluster's admins);
#   - run `sam deploy` on this one stack: change sets on the stack and through the Serverless transform, the package
#     upload to the artifact bucket, and the stack's own resources (its functions, its HTTP or REST API, the sweep's
#     schedule, the alarm topic, alarms and dashboard), which CloudFormation creates with the caller's rights: exactly the permissions of those
#     resource types' handlers (CloudFormation resource provider schemas), on the stack's names, and only when called
#     via CloudFormation (aws:CalledVia). test/Users.Terraform.Tests (DeployRoleTests) evaluates every one;
#   - pass the Lambda execution roles (the API's, the sweep's), and only to Lambda.

locals {
  repository_arn = aws_ecr_repository.app.arn
  stack_arn      = "arn:${local.partition}:cloudformation:${local.region}:${local.account_id}:stack/${var.sam_stack_name}/*"
  bucket_arn     = aws_s3_bucket.sam_artifacts.arn
  via_cfn        = { "ForAnyValue:StringEquals" = { "aws:CalledVia" = ["cloudformation.amazonaws.com"] } }

  deploy_statements = concat(
    [
      {
        Sid      = "EcrLogin"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid    = "EcrPushThisRepository"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:DescribeImages",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ]
        Resource = local.repository_arn
      },
      {
        Sid    = "SamStack"
        Effect = "Allow"
        Action = [
          "cloudformation:CreateChangeSet",
          "cloudformation:DeleteChangeSet",
          "cloudformation:DescribeChangeSet",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStacks",
          "cloudformation:ExecuteChangeSet",
          "cloudformation:GetTemplate",
          "cloudformation:GetTemplateSummary",
          "cloudformation:ListStackResources",
        ]
        Resource = local.stack_arn
      },
      {
        Sid      = "SamTransform"
        Effect   = "Allow"
        Action   = "cloudformation:CreateChangeSet"
        Resource = "arn:${local.partition}:cloudformation:${local.region}:aws:transform/Serverless-2016-10-31"
      },
      {
        Sid      = "SamArtifactsBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucket"]
        Resource = local.bucket_arn
      },
      {
        # The package and template upload; CloudFormation reads them (and Lambda the code, by version) with these rights.
        Sid      = "SamArtifactsObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
        Resource = "${local.bucket_arn}/*"
      },
      {
        # AWS::Lambda::Function and AWS::Lambda::Permission: the handlers' permissions (CloudFormation resource
        # provider schemas) on the stack's own functions, only through CloudFormation.
        Sid    = "SamStackFunctionsViaCloudFormation"
        Effect = "Allow"
        Action = [
          "lambda:AddPermission",
          "lambda:CreateFunction",
          "lambda:DeleteFunction",
          "lambda:DeleteFunctionConcurrency",
          "lambda:GetFunction",
          "lambda:GetFunctionCodeSigningConfig",
          "lambda:GetFunctionConfiguration",
          "lambda:GetFunctionRecursionConfig",
          "lambda:GetFunctionScalingConfig",
          "lambda:GetPolicy",
          "lambda:GetRuntimeManagementConfig",
          "lambda:ListTags",
          "lambda:PublishVersion",
          "lambda:PutFunctionConcurrency",
          "lambda:PutFunctionRecursionConfig",
          "lambda:PutRuntimeManagementConfig",
          "lambda:RemovePermission",
          "lambda:TagResource",
          "lambda:UntagResource",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
        ]
        Resource  = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${var.sam_stack_name}-*"
        Condition = local.via_cfn
      },
      {
        # AWS::ApiGatewayV2::Api/Stage (template.yaml) and AWS::ApiGateway::RestApi/Deployment/Stage
        # (template-rest.yaml): API Gateway authorises by verb and path; IDs are generated, so only through CloudFormation.
        Sid    = "SamStackApisViaCloudFormation"
        Effect = "Allow"
        Action = ["apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"]
        Resource = [
          "arn:${local.partition}:apigateway:${local.region}::/apis",
          "arn:${local.partition}:apigateway:${local.region}::/apis/*",
          "arn:${local.partition}:apigateway:${local.region}::/restapis",
          "arn:${local.partition}:apigateway:${local.region}::/restapis/*",
          "arn:${local.partition}:apigateway:${local.region}::/tags/*",
        ]
        Condition = local.via_cfn
      },
      {
        # AWS::SNS::Topic and AWS::SNS::Subscription: the alarm topic (named <stack>-AlarmTopic-...) and its e-mail.
        Sid    = "SamStackAlarmTopicViaCloudFormation"
        Effect = "Allow"
        Action = [
          "sns:CreateTopic",
          "sns:DeleteTopic",
          "sns:GetDataProtectionPolicy",
          "sns:GetSubscriptionAttributes",
          "sns:GetTopicAttributes",
          "sns:ListSubscriptionsByTopic",
          "sns:ListTagsForResource",
          "sns:PutDataProtectionPolicy",
          "sns:SetSubscriptionAttributes",
          "sns:SetTopicAttributes",
          "sns:Subscribe",
          "sns:TagResource",
          "sns:Unsubscribe",
          "sns:UntagResource",
        ]
        Resource  = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.sam_stack_name}-*"
        Condition = local.via_cfn
      },
      {
        # AWS::Events::Rule: the sweep function's schedule (named <stack>-UsersSweepFunctionSchedule-...; it passes no
        # role), whose invoke permission is the AWS::Lambda::Permission above.
        Sid    = "SamStackScheduleViaCloudFormation"
        Effect = "Allow"
        Action = [
          "events:DeleteRule",
          "events:DescribeRule",
          "events:ListTagsForResource",
          "events:ListTargetsByRule",
          "events:PutRule",
          "events:PutTargets",
          "events:RemoveTargets",
          "events:TagResource",
          "events:UntagResource",
        ]
        Resource  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.sam_stack_name}-*"
        Condition = local.via_cfn
      },
      {
        # AWS::CloudWatch::Alarm and AWS::CloudWatch::Dashboard: the stack's alarms and dashboard (named <stack>-...).
        Sid    = "SamStackAlarmsViaCloudFormation"
        Effect = "Allow"
        Action = [
          "cloudwatch:DeleteAlarms",
          "cloudwatch:DeleteDashboards",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:GetDashboard",
          "cloudwatch:ListTagsForResource",
          "cloudwatch:PutDashboard",
          "cloudwatch:PutMetricAlarm",
          "cloudwatch:TagResource",
          "cloudwatch:UntagResource",
        ]
        Resource = [
          "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.sam_stack_name}-*",
          "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${var.sam_stack_name}-*",
        ]
        Condition = local.via_cfn
      },
    ],
    var.eks_cluster_name == null ? [] : [{
      Sid      = "EksDescribeThisCluster"
      Effect   = "Allow"
      Action   = "eks:DescribeCluster"
      Resource = "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.eks_cluster_name}"
    }],
    var.lambda_role_arn == null ? [] : [{
      Sid       = "PassTheLambdaRoleToLambda"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = compact([var.lambda_role_arn, var.sweep_role_arn])
      Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
    }],
  )
}

resource "aws_iam_policy" "deploy" {
  name        = "${var.name_prefix}-deploy"
  description = "Release of ${var.github_repository}: push to ${var.ecr_repository_name}, deploy stack ${var.sam_stack_name}${var.eks_cluster_name == null ? "" : ", describe cluster ${var.eks_cluster_name}"}"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.deploy_statements
  })
}
