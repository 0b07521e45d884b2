variable "cluster_name" {
  description = "EKS cluster name (also prefixes the VPC, role and node group names)."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes version, e.g. 1.32."
  type        = string
}

variable "vpc_cidr" {
  description = "VPC CIDR block: two private subnets (nodes, pods) take its first half, two public subnets (NAT gateway, internet-facing load balancers) an eighth each of the second."
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

variable "endpoint_public_access_cidrs" {
  description = "IPv4 CIDR blocks that may reach the Kubernetes API endpoint from the internet. Empty (default): the endpoint is private, reachable only from inside the VPC (or networks routed to it). 0.0.0.0/0 is refused: list the addresses that administer and deploy."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.endpoint_public_access_cidrs : can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", cidr)) && try(cidrsubnet(cidr, 0, 0) == cidr, false)])
    error_message = "endpoint_public_access_cidrs must hold IPv4 CIDR blocks written as their network address, e.g. 203.0.113.0/24 or 198.51.100.7/32."
  }

  validation {
    condition     = !contains([for cidr in var.endpoint_public_access_cidrs : try(split("/", cidr)[1], "")], "0")
    error_message = "endpoint_public_access_cidrs must not open the endpoint to every address (a /0): list the networks that need it."
  }
}

variable "node_disk_size_gib" {
  description = "Size of each node's encrypted gp3 root volume, in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.node_disk_size_gib >= 20 && floor(var.node_disk_size_gib) == var.node_disk_size_gib
    error_message = "node_disk_size_gib must be a whole number of at least 20."
  }
}
