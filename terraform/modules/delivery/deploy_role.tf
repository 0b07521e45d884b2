# The role a release job assumes with its GitHub OIDC token (aws-actions/configure-aws-credentials, role-to-assume).
# Only the release workflow of one repository, run for a release tag, in one deployment environment gets it: `aud` and
# `sub` are pinned with StringEquals, and `job_workflow_ref` (the workflow file and the ref it runs at) must be
# <repo>/.github/workflows/<release workflow>@refs/tags/v*: another workflow that declares the environment, a branch
# or a pull request is refused.

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
        StringLike = {
          "${local.github_oidc_host}:job_workflow_ref" = "${var.github_repository}/.github/workflows/${var.github_release_workflow}@refs/tags/${var.github_release_tag_pattern}"
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
