# Delivery (optional, create_delivery): the ECR repository, the GitHub OIDC provider and the release's deploy role,
# wired to the resources above (the Lambda role it may pass, the cluster it deploys to). Its inputs and outputs
# live here with it; modules/delivery/ has the resources. See docs/delivery.md for the pipeline that uses them.

# --- Inputs ------------------------------------------------------------------

variable "create_delivery" {
  description = "Create the delivery resources for the GitHub Actions release: ECR repository, SAM artifact bucket, GitHub OIDC provider and deploy role. Needs github_repository."
  type        = bool
  default     = false
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose release jobs may assume the deploy role. Required with create_delivery."
  type        = string
  default     = null

  validation {
    condition     = var.github_repository == null || can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be null or owner/name, e.g. acme/users-api."
  }
}

variable "github_environment" {
  description = "GitHub deployment environment the deploy role trusts (sub = repo:<owner>/<name>:environment:<this>)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment must be 1-255 letters, digits, '.', '_' or '-'."
  }
}

variable "github_oidc_provider_arn" {
  description = "Existing IAM OIDC provider for token.actions.githubusercontent.com to reuse (one per account). null creates it."
  type        = string
  default     = null
}

variable "ecr_repository_name" {
  description = "ECR repository for the release images."
  type        = string
  default     = "users-api"
}

variable "sam_stack_name" {
  description = "CloudFormation stack of the SAM deploy (samconfig.toml stack_name); the deploy role may manage this stack only."
  type        = string
  default     = "users-api"
}

# --- Wiring ------------------------------------------------------------------

module "delivery" {
  source = "./modules/delivery"
  count  = var.create_delivery ? 1 : 0

  name_prefix              = var.name_prefix
  github_repository        = var.github_repository
  github_environment       = var.github_environment
  github_oidc_provider_arn = var.github_oidc_provider_arn
  ecr_repository_name      = var.ecr_repository_name
  force_delete             = !var.deletion_protection
  sam_stack_name           = var.sam_stack_name
  deny_insecure_transport  = var.deny_insecure_transport
  lambda_role_arn          = module.workload_iam.lambda_role_arn
  sweep_role_arn           = module.workload_iam.lambda_sweep_role_arn
  eks_cluster_name         = local.pod_identity_cluster
  create_eks_access_entry  = var.create_eks_cluster
  release_namespace        = var.k8s_namespace
}

# --- Outputs -----------------------------------------------------------------

output "deploy_role_arn" {
  description = "Role the release workflow assumes through GitHub OIDC (GitHub variable AWS_DEPLOY_ROLE_ARN), or null."
  value       = one(module.delivery[*].deploy_role_arn)
}

output "ecr_repository_url" {
  description = "ECR repository URL for the release images (GitHub variable ECR_REPOSITORY_URL), or null."
  value       = one(module.delivery[*].ecr_repository_url)
}

output "sam_artifact_bucket" {
  description = "Bucket sam deploy uploads packages to (GitHub variable SAM_ARTIFACT_BUCKET), or null."
  value       = one(module.delivery[*].sam_artifact_bucket)
}

output "github_actions_variables" {
  description = "Every value .github/workflows/release.yml reads, as GitHub Actions variables of the deployment environment (docs/delivery.md sets them with gh variable set). Empty without create_delivery."
  value = var.create_delivery ? merge(
    {
      AWS_REGION              = var.aws_region
      AWS_DEPLOY_ROLE_ARN     = module.delivery[0].deploy_role_arn
      ECR_REPOSITORY_URL      = module.delivery[0].ecr_repository_url
      SAM_STACK_NAME          = module.delivery[0].sam_stack_name
      SAM_ARTIFACT_BUCKET     = module.delivery[0].sam_artifact_bucket
      SAM_PARAMETER_OVERRIDES = local.sam_parameter_overrides
      K8S_NAMESPACE           = var.k8s_namespace
      HELM_SET_FLAGS          = local.helm_set_flags
    },
    local.pod_identity_cluster == null ? {} : { EKS_CLUSTER_NAME = local.pod_identity_cluster },
  ) : {}
}
