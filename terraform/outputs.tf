# --- What was created ---------------------------------------------------------

output "aws_region" {
  description = "Region of the resources."
  value       = var.aws_region
}

output "table_name" {
  description = "DynamoDB table name (app setting USERS_TABLE_NAME)."
  value       = module.data_stores.table_name
}

output "table_arn" {
  description = "DynamoDB table ARN."
  value       = module.data_stores.table_arn
}

output "bucket_name" {
  description = "Avatars bucket name (app setting AVATARS_BUCKET_NAME)."
  value       = module.data_stores.bucket_name
}

output "bucket_arn" {
  description = "Avatars bucket ARN."
  value       = module.data_stores.bucket_arn
}

output "avatars_public_base_url" {
  description = "CloudFront base URL for avatars (app setting AVATARS_PUBLIC_BASE_URL), or null when enable_cloudfront is false."
  value       = module.data_stores.avatars_public_base_url
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution ID, or null."
  value       = module.data_stores.cloudfront_distribution_id
}

output "app_policy_arn" {
  description = "The app's least-privilege IAM policy (attached to every role below)."
  value       = module.workload_iam.app_policy_arn
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider the IRSA role trusts, or null without IRSA."
  value       = module.workload_iam.oidc_provider_arn
}

output "irsa_role_arn" {
  description = "IRSA role ARN: the Helm value serviceAccount.roleArn. null unless oidc_issuer_url is set or create_eks_cluster is true."
  value       = module.workload_iam.irsa_role_arn
}

output "pod_identity_role_arn" {
  description = "EKS Pod Identity role ARN, or null."
  value       = module.workload_iam.pod_identity_role_arn
}

output "pod_identity_association_id" {
  description = "Pod Identity association ID, or null without a cluster."
  value       = module.workload_iam.pod_identity_association_id
}

output "lambda_role_arn" {
  description = "Lambda execution role ARN: the SAM parameter LambdaRoleArn. null when create_lambda_role is false."
  value       = module.workload_iam.lambda_role_arn
}

output "lambda_sweep_role_arn" {
  description = "Execution role ARN of the avatar sweep function: the SAM parameter SweepRoleArn. null when create_lambda_role is false."
  value       = module.workload_iam.lambda_sweep_role_arn
}

output "eks_cluster_name" {
  description = "Name of the EKS cluster created here, or null."
  value       = one(module.eks[*].cluster_name)
}

output "eks_cluster_endpoint" {
  description = "API endpoint of the EKS cluster created here, or null."
  value       = one(module.eks[*].cluster_endpoint)
}

# --- Ready to plug in -----------------------------------------------------------

locals {
  app_env = merge(
    {
      USERS_TABLE_NAME    = module.data_stores.table_name
      AVATARS_BUCKET_NAME = module.data_stores.bucket_name
      AWS_REGION          = var.aws_region
    },
    var.enable_cloudfront ? { AVATARS_PUBLIC_BASE_URL = module.data_stores.avatars_public_base_url } : {},
  )

  helm_values = merge(
    local.irsa_enabled ? { "serviceAccount.roleArn" = module.workload_iam.irsa_role_arn } : {},
    {
      "config.usersTableName"    = module.data_stores.table_name
      "config.avatarsBucketName" = module.data_stores.bucket_name
      "config.awsRegion"         = var.aws_region
    },
    var.enable_cloudfront ? { "config.avatarsPublicBaseUrl" = module.data_stores.avatars_public_base_url } : {},
    # The cluster's ALB reaches the pods from inside its VPC: trust X-Forwarded-For from there only (values-eks.yaml
    # has the default eks_vpc_cidr; this follows a changed one).
    var.create_eks_cluster ? { "admission.trustedProxies" = var.eks_vpc_cidr } : {},
  )

  sam_parameters = merge(
    {
      UsersTableName    = module.data_stores.table_name
      AvatarsBucketName = module.data_stores.bucket_name
    },
    var.create_lambda_role ? { LambdaRoleArn = module.workload_iam.lambda_role_arn, SweepRoleArn = module.workload_iam.lambda_sweep_role_arn } : {},
  )

  helm_set_flags          = join(" ", [for key in ["serviceAccount.roleArn", "config.usersTableName", "config.avatarsBucketName", "config.awsRegion", "config.avatarsPublicBaseUrl", "admission.trustedProxies"] : "--set ${key}=${local.helm_values[key]}" if contains(keys(local.helm_values), key)])
  sam_parameter_overrides = join(" ", [for key in ["UsersTableName", "AvatarsBucketName", "LambdaRoleArn", "SweepRoleArn"] : "${key}=${local.sam_parameters[key]}" if contains(keys(local.sam_parameters), key)])
}

output "app_env" {
  description = "Environment variables for the app (Kestrel or Lambda) pointing at these resources."
  value       = local.app_env
}

output "helm_values" {
  description = "Helm values (dotted paths) for the users-api chart, as a map."
  value       = local.helm_values
}

output "helm_set_flags" {
  description = "Ready-made flags: helm upgrade --install users-api helm/users-api $(terraform output -raw helm_set_flags)."
  value       = local.helm_set_flags
}

output "sam_parameters" {
  description = "SAM template parameters as a map (UsersTableName, AvatarsBucketName, LambdaRoleArn, SweepRoleArn)."
  value       = local.sam_parameters
}

output "sam_parameter_overrides" {
  description = "Ready-made: sam deploy --parameter-overrides \"$(terraform output -raw sam_parameter_overrides)\"."
  value       = local.sam_parameter_overrides
}

output "alarm_topic_arn" {
  description = "SNS topic of the data stores' CloudWatch alarms (subscribe your pager or chat to it), or null when alarms are off."
  value       = module.data_stores.alarm_topic_arn
}
