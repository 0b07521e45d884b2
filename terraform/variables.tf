# --- Where -------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region for every regional resource."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like an AWS region name, e.g. us-east-1."
  }
}

variable "aws_endpoint_url" {
  description = "Endpoint of an AWS emulator (LocalStack, moto), e.g. http://127.0.0.1:4566. Every service used is pointed at it, with dummy credentials and path-style S3. null (default) means real AWS and the normal credential chain."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint_url == null || can(regex("^https?://[^/\\s]+/?$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be null or an http(s) URL without a path, e.g. http://127.0.0.1:4566."
  }
}

variable "name_prefix" {
  description = "Prefix of the IAM role and policy names (and of the optional EKS cluster's resources)."
  type        = string
  default     = "users-api"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and hold at most 32 letters, digits or hyphens."
  }
}

variable "tags" {
  description = "Extra tags for every resource (merged into the provider's default_tags)."
  type        = map(string)
  default     = {}
}

# --- Data stores -------------------------------------------------------------

variable "table_name" {
  description = "DynamoDB table holding the users (partition key `email`). The app reads it from USERS_TABLE_NAME."
  type        = string
  default     = "users"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 characters of letters, digits, '_', '-' or '.'."
  }
}

variable "bucket_name" {
  description = "S3 bucket holding the avatars (keys avatars/<id>.<ext>). Globally unique on real AWS. The app reads it from AVATARS_BUCKET_NAME."
  type        = string
  default     = "users-avatars"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$|^xn--|-s3alias$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit."
  }
}

variable "deletion_protection" {
  description = "Protect the data: DynamoDB deletion protection on, and the bucket is not force-destroyed. Set false (-var deletion_protection=false), apply, then destroy to tear down."
  type        = bool
  default     = true
}

variable "deny_insecure_transport" {
  description = "Bucket policy statements denying requests without TLS (aws:SecureTransport = false) or with TLS below 1.2. Keep true on AWS. Set false only for a plain-HTTP emulator the app must write to: moto evaluates these Deny statements as matching every request (it supplies no condition keys), so with them the app's PutObject is refused there."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a replaced or deleted avatar version (noncurrent version) is expired."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which an unfinished multipart upload is aborted (its parts are deleted)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number >= 1."
  }
}

variable "enable_cloudfront" {
  description = "Serve avatars publicly through CloudFront with origin access control (the bucket itself stays private). Off by default."
  type        = bool
  default     = false
}

variable "cloudfront_price_class" {
  description = "CloudFront price class when enable_cloudfront is true."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

# --- Workload identity: EKS --------------------------------------------------

variable "k8s_namespace" {
  description = "Kubernetes namespace of the app's ServiceAccount (IRSA `sub` condition and Pod Identity association)."
  type        = string
  default     = "users"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.k8s_namespace))
    error_message = "k8s_namespace must be a DNS-1123 label."
  }
}

variable "k8s_service_account" {
  description = "Name of the app's Kubernetes ServiceAccount (the Helm chart's serviceAccount name)."
  type        = string
  default     = "users-api"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.k8s_service_account))
    error_message = "k8s_service_account must be a DNS-1123 subdomain."
  }
}

variable "oidc_issuer_url" {
  description = "OIDC issuer URL of an existing EKS cluster (aws eks describe-cluster --query cluster.identity.oidc.issuer). Setting it creates the IRSA role; the IAM OIDC provider is created from it unless oidc_provider_arn is given."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_issuer_url == null || can(regex("^https://[^\\s]+$", var.oidc_issuer_url))
    error_message = "oidc_issuer_url must be null or an https:// URL."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for the cluster (needs oidc_issuer_url too). null creates the provider from oidc_issuer_url."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be null or an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer host/path>)."
  }
}

variable "create_pod_identity_role" {
  description = "Create the EKS Pod Identity role (trusts pods.eks.amazonaws.com)."
  type        = bool
  default     = true
}

variable "eks_cluster_name" {
  description = "Name of an existing EKS cluster: creates the Pod Identity association for the app's ServiceAccount there. With create_eks_cluster it names the new cluster."
  type        = string
  default     = null

  validation {
    condition     = var.eks_cluster_name == null || can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be null or a valid EKS cluster name (1-100 letters, digits, '-' or '_', starting with a letter or digit)."
  }
}

variable "create_pod_identity_association" {
  description = "Create the Pod Identity association on the cluster (eks_cluster_name or the one created here). false when the cluster's admins manage associations, or on an emulator without the EKS Pod Identity API; the role's trust stays pinned to the cluster either way."
  type        = bool
  default     = true
}

# --- Workload identity: Lambda ----------------------------------------------

variable "create_lambda_role" {
  description = "Create the Lambda execution roles for the SAM stack: the API function's (app policy) and the avatar sweep function's (sweep policy), each with CloudWatch Logs and X-Ray."
  type        = bool
  default     = true
}

variable "lambda_function_name_prefix" {
  description = "Narrows the Lambda role's CloudWatch Logs rights to log groups /aws/lambda/<prefix>*. Empty (default) allows every /aws/lambda/ group of this account and region, since SAM generates the function names from the stack name."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{0,64}$", var.lambda_function_name_prefix))
    error_message = "lambda_function_name_prefix must be at most 64 letters, digits, '-' or '_'."
  }
}

# --- Optional EKS cluster ----------------------------------------------------

variable "create_eks_cluster" {
  description = "Create a minimal EKS cluster (VPC, cluster, managed node group, OIDC provider, Pod Identity agent, access entry) and wire IRSA and Pod Identity to it. Off by default; costs money on AWS."
  type        = bool
  default     = false
}

variable "eks_kubernetes_version" {
  description = "Kubernetes version of the optional EKS cluster."
  type        = string
  default     = "1.32"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.eks_kubernetes_version))
    error_message = "eks_kubernetes_version must look like 1.32."
  }
}

variable "eks_vpc_cidr" {
  description = "CIDR block of the optional EKS cluster's VPC (a /16 to /24)."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.eks_vpc_cidr, 0)) && tonumber(split("/", var.eks_vpc_cidr)[1]) >= 16 && tonumber(split("/", var.eks_vpc_cidr)[1]) <= 24
    error_message = "eks_vpc_cidr must be an IPv4 CIDR block from /16 to /24."
  }
}

variable "eks_node_instance_types" {
  description = "Instance types of the optional cluster's managed node group."
  type        = list(string)
  default     = ["t3.medium"]

  validation {
    condition     = length(var.eks_node_instance_types) > 0
    error_message = "eks_node_instance_types needs at least one instance type."
  }
}

variable "eks_node_count" {
  description = "Desired, minimum and maximum size of the optional cluster's managed node group."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 2, min = 1, max = 3 }

  validation {
    condition     = var.eks_node_count.min >= 0 && var.eks_node_count.min <= var.eks_node_count.desired && var.eks_node_count.desired <= var.eks_node_count.max && var.eks_node_count.max >= 1
    error_message = "eks_node_count must satisfy 0 <= min <= desired <= max and max >= 1."
  }
}

variable "eks_endpoint_public_access_cidrs" {
  description = "IPv4 CIDR blocks that may reach the optional cluster's Kubernetes API endpoint from the internet (e.g. your office, your CI runners' egress addresses). Empty (default): the endpoint is private, reachable only from inside the VPC. 0.0.0.0/0 is refused."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.eks_endpoint_public_access_cidrs : can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", cidr)) && try(cidrsubnet(cidr, 0, 0) == cidr, false)])
    error_message = "eks_endpoint_public_access_cidrs must hold IPv4 CIDR blocks written as their network address, e.g. 203.0.113.0/24 or 198.51.100.7/32."
  }

  validation {
    condition     = !contains([for cidr in var.eks_endpoint_public_access_cidrs : try(split("/", cidr)[1], "")], "0")
    error_message = "eks_endpoint_public_access_cidrs must not open the endpoint to every address (a /0): list the networks that need it."
  }
}

variable "eks_admin_principal_arn" {
  description = "IAM role or user ARN granted cluster-admin on the optional cluster through an EKS access entry. null gives cluster-admin to the identity that creates the cluster instead."
  type        = string
  default     = null

  validation {
    condition     = var.eks_admin_principal_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", var.eks_admin_principal_arn))
    error_message = "eks_admin_principal_arn must be null or an IAM role or user ARN."
  }
}

# --- Observability (modules/data-stores/alarms.tf) ---

variable "alarms_enabled" {
  description = "Create CloudWatch alarms for the table (throttles, system errors), their SNS topic and a dashboard."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (null: none; subscribe other endpoints to the alarm_topic_arn output)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}
