output "app_policy_arn" {
  description = "ARN of the app's least-privilege policy."
  value       = aws_iam_policy.app.arn
}

output "oidc_provider_arn" {
  description = "ARN of the OIDC provider the IRSA role trusts, or null without IRSA."
  value       = var.create_irsa_role ? local.oidc_provider_arn : null
}

output "irsa_role_arn" {
  description = "IRSA role ARN (ServiceAccount annotation eks.amazonaws.com/role-arn), or null."
  value       = one(aws_iam_role.irsa[*].arn)
}

output "pod_identity_role_arn" {
  description = "Pod Identity role ARN, or null."
  value       = one(aws_iam_role.pod_identity[*].arn)
}

output "pod_identity_association_id" {
  description = "Pod Identity association ID, or null."
  value       = one(aws_eks_pod_identity_association.app[*].association_id)
}

output "lambda_role_arn" {
  description = "Lambda execution role ARN, or null."
  value       = one(aws_iam_role.lambda[*].arn)
}

output "lambda_sweep_role_arn" {
  description = "Execution role ARN of the avatar sweep's Lambda function, or null."
  value       = one(aws_iam_role.lambda_sweep[*].arn)
}
