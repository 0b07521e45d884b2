variable "name_prefix" {
  description = "Prefix of the deploy role and policy names."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and hold at most 32 letters, digits or hyphens."
  }
}

# --- Who may deploy ----------------------------------------------------------

variable "github_repository" {
  description = "GitHub repository allowed to assume the deploy role, as owner/name (the OIDC token's `repo:` claim)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. acme/users-api (no wildcards)."
  }
}

variable "github_environment" {
  description = "GitHub deployment environment whose jobs may assume the deploy role (trust `sub` = repo:<owner>/<name>:environment:<this>)."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))
    error_message = "github_environment must be 1-255 letters, digits, '.', '_' or '-' (no wildcards)."
  }
}

variable "github_release_workflow" {
  description = "File name of the workflow (under .github/workflows/) whose jobs may assume the deploy role (trust `job_workflow_ref`)."
  type        = string
  default     = "release.yml"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+\\.ya?ml$", var.github_release_workflow))
    error_message = "github_release_workflow must be a workflow file name such as release.yml (no path, no wildcards)."
  }
}

variable "github_release_tag_pattern" {
  description = "Tags the release workflow may run for (trust `job_workflow_ref` …@refs/tags/<this>, StringLike): release.yml runs on v*.*.* tags."
  type        = string
  default     = "v*"

  validation {
    condition     = can(regex("^[A-Za-z0-9._*/-]{1,100}$", var.github_release_tag_pattern))
    error_message = "github_release_tag_pattern must be a tag name pattern (letters, digits, . _ - / and *)."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for token.actions.githubusercontent.com (an account has at most one). null creates it."
  type        = string
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be null or arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com."
  }
}

variable "max_session_duration" {
  description = "Longest session of the deploy role, in seconds (a release takes minutes)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be between 3600 and 43200 seconds."
  }
}

# --- The image repository ----------------------------------------------------

variable "ecr_repository_name" {
  description = "Name of the ECR repository the release pushes the image to."
  type        = string
  default     = "users-api"

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.ecr_repository_name)) && length(var.ecr_repository_name) >= 2 && length(var.ecr_repository_name) <= 256
    error_message = "ecr_repository_name must be a valid ECR repository name: 2-256 lowercase letters, digits and . _ - / separators."
  }
}

variable "ecr_kms_key_arn" {
  description = "Customer managed KMS key for the image layers. null uses KMS with the AWS managed key aws/ecr."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.ecr_kms_key_arn))
    error_message = "ecr_kms_key_arn must be null or a KMS key ARN."
  }
}

variable "ecr_keep_release_images" {
  description = "Release images (tags starting with v) kept by the lifecycle policy; older ones are expired."
  type        = number
  default     = 50

  validation {
    condition     = var.ecr_keep_release_images >= 1 && floor(var.ecr_keep_release_images) == var.ecr_keep_release_images
    error_message = "ecr_keep_release_images must be a whole number >= 1."
  }
}

variable "ecr_untagged_expiry_days" {
  description = "Days after which untagged images (superseded pushes, orphaned attestations) are expired."
  type        = number
  default     = 14

  validation {
    condition     = var.ecr_untagged_expiry_days >= 1 && floor(var.ecr_untagged_expiry_days) == var.ecr_untagged_expiry_days
    error_message = "ecr_untagged_expiry_days must be a whole number >= 1."
  }
}

variable "force_delete" {
  description = "Let destroy delete the repository with its images and the artifact bucket with its objects (the root passes !deletion_protection)."
  type        = bool
  default     = false
}

# --- Where it deploys --------------------------------------------------------

variable "sam_stack_name" {
  description = "CloudFormation stack `sam deploy` manages (samconfig.toml's stack_name). The role may act on this stack only."
  type        = string
  default     = "users-api"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,127}$", var.sam_stack_name))
    error_message = "sam_stack_name must be a valid CloudFormation stack name (a letter, then letters, digits or '-', at most 128)."
  }
}

variable "sam_artifact_bucket_name" {
  description = "Name of the S3 bucket sam deploy uploads packages to. null: <name_prefix>-sam-artifacts-<account id>-<region>."
  type        = string
  default     = null

  validation {
    condition     = var.sam_artifact_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.sam_artifact_bucket_name))
    error_message = "sam_artifact_bucket_name must be null or a valid S3 bucket name."
  }
}

variable "sam_artifact_expiration_days" {
  description = "Days after which uploaded SAM packages are deleted (CloudFormation needs them only while deploying)."
  type        = number
  default     = 90

  validation {
    condition     = var.sam_artifact_expiration_days >= 1 && floor(var.sam_artifact_expiration_days) == var.sam_artifact_expiration_days
    error_message = "sam_artifact_expiration_days must be a whole number >= 1."
  }
}

variable "deny_insecure_transport" {
  description = "Artifact bucket policy denying requests without TLS 1.2+ (as the avatars bucket; false only for a plain-HTTP emulator)."
  type        = bool
  default     = true
}

variable "lambda_role_arn" {
  description = "The Lambda execution role the SAM stack's function runs as: the only role the deploy role may pass (to lambda.amazonaws.com). null: no PassRole, no Lambda deploys."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.lambda_role_arn))
    error_message = "lambda_role_arn must be null or an IAM role ARN."
  }
}

variable "sweep_role_arn" {
  description = "The avatar sweep function's execution role, passed like lambda_role_arn (to lambda.amazonaws.com only). null: only lambda_role_arn."
  type        = string
  default     = null

  validation {
    condition     = var.sweep_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.sweep_role_arn))
    error_message = "sweep_role_arn must be null or an IAM role ARN."
  }
}

variable "eks_cluster_name" {
  description = "EKS cluster the release deploys the chart to (eks:DescribeCluster on it). null: no EKS statement."
  type        = string
  default     = null

  validation {
    condition     = var.eks_cluster_name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be null or a valid EKS cluster name."
  }
}

variable "create_eks_access_entry" {
  description = "Create an EKS access entry for the deploy role on eks_cluster_name with AmazonEKSEditPolicy scoped to release_namespace. For a cluster managed here (the root sets it with create_eks_cluster); on another cluster its admins grant access."
  type        = bool
  default     = false
}

variable "release_namespace" {
  description = "Kubernetes namespace the chart is released into (the access entry's only namespace)."
  type        = string
  default     = "users"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.release_namespace))
    error_message = "release_namespace must be a DNS-1123 label."
  }
}
