variable "cluster_name" {
  description = "EKS cluster name (also prefixes the VPC, role and node group names)."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes version, e.g. 1.32."
  type        = string
}

variable "vpc_cidr" {
  description = "VPC CIDR block; two public subnets are carved from it."
  type        = string
}

variable "node_instance_types" {
  description = "Managed node group instance types."
  type        = list(string)
}

variable "node_count" {
  description = "Managed node group desired/min/max size."
  type = object({
    desired = number
    min     = number
    max     = number
  })
}

variable "admin_principal_arn" {
  description = "IAM principal given cluster-admin through an access entry; null gives it to the cluster creator instead."
  type        = string
  default     = null
}
