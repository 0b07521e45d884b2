# The role a release job assumes with its GitHub OIDC token (aws-actions/configure-aws-credentials, role-to-assume).
# Only jobs of one repository that run in one deployment environment get it: `aud` and `sub` are pinned with
# StringEquals (no wildcards), so a branch, a pull request or another environment is refused.

locals {
  deploy_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsDeployEnvironment"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.github_oidc_host}:aud" = "sts.amazonaws.com"
          "${local.github_oidc_host}:sub" = "repo:${var.github_repository}:environment:${var.github_environment}"
        }
      }
    }]
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name_prefix}-deploy"
  description          = "GitHub Actions release of ${var.github_repository} (environment ${var.github_environment})"
  assume_role_policy   = jsonencode(local.deploy_trust_policy)
  max_session_duration = var.max_session_duration
}

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.deploy.arn
}
