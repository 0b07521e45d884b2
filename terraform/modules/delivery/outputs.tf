output "deploy_role_arn" {
  description = "Role the release workflow assumes (configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.deploy.arn
}

output "deploy_policy_arn" {
  description = "The deploy role's least-privilege policy."
  value       = aws_iam_policy.deploy.arn
}

output "github_oidc_provider_arn" {
  description = "IAM OIDC provider for token.actions.githubusercontent.com (created here or passed in)."
  value       = local.github_oidc_provider_arn
}

output "deploy_subject" {
  description = "The only OIDC subject the deploy role trusts."
  value       = "repo:${var.github_repository}:environment:${var.github_environment}"
}

output "ecr_repository_name" {
  description = "ECR repository name."
  value       = aws_ecr_repository.app.name
}

output "ecr_repository_arn" {
  description = "ECR repository ARN."
  value       = aws_ecr_repository.app.arn
}

output "ecr_repository_url" {
  description = "ECR repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>): the image repository for docker push and the chart's image.repository."
  value       = aws_ecr_repository.app.repository_url
}

output "sam_artifact_bucket" {
  description = "Bucket for sam deploy --s3-bucket."
  value       = aws_s3_bucket.sam_artifacts.id
}

output "sam_stack_name" {
  description = "The CloudFormation stack the deploy role may manage."
  value       = var.sam_stack_name
}
