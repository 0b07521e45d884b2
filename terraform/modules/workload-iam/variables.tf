variable "name_prefix" {
  description = "Prefix of the role and policy names."
  type        = string
}

variable "table_arn" {
  description = "ARN of the users DynamoDB table."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of the avatars bucket."
  type        = string
}

variable "avatars_prefix" {
  description = "Key prefix the app reads and writes in the bucket."
  type        = string
  default     = "avatars/"
}

variable "create_irsa_role" {
  description = "Create the IRSA role (needs oidc_issuer_url)."
  type        = bool
  default     = false
}

variable "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<id>)."
  type        = string
  default     = null
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider; ignored when create_oidc_provider is true."
  type        = string
  default     = null
}

variable "create_oidc_provider" {
  description = "Create the IAM OIDC provider from oidc_issuer_url."
  type        = bool
  default     = false
}

variable "k8s_namespace" {
  description = "Namespace of the app's ServiceAccount."
  type        = string
}

variable "k8s_service_account" {
  description = "Name of the app's ServiceAccount."
  type        = string
}

variable "create_pod_identity_role" {
  description = "Create the EKS Pod Identity role."
  type        = bool
  default     = true
}

variable "create_pod_identity_association" {
  description = "Associate the Pod Identity role with the ServiceAccount on eks_cluster_name."
  type        = bool
  default     = false
}

variable "eks_cluster_name" {
  description = "Cluster of the Pod Identity association."
  type        = string
  default     = null
}

variable "create_lambda_role" {
  description = "Create the Lambda execution roles: the API function's and the avatar sweep function's."
  type        = bool
  default     = true
}

variable "lambda_function_name_prefix" {
  description = "CloudWatch Logs rights are limited to /aws/lambda/<prefix>* log groups."
  type        = string
  default     = ""
}
