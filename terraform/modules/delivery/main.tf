# Delivery: what a GitHub Actions release needs in AWS and nothing more. One concern per file:
#   ecr.tf            the image repository (immutable tags, scan on push, lifecycle, encryption)
#   github_oidc.tf    the IAM OIDC provider for token.actions.githubusercontent.com (or an existing one)
#   deploy_role.tf    the deploy role, assumable only from the repository's deployment environment
#   deploy_policy.tf  its least-privilege policy (ECR push, EKS describe, the SAM stack, its artifacts, PassRole)
#   sam_artifacts.tf  the private bucket `sam deploy` uploads packages to
#   eks_access.tf     the deploy role's access entry on a cluster created here, scoped to the release namespace

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  github_oidc_host = "token.actions.githubusercontent.com"
}
