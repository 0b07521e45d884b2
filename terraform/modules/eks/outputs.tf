output "cluster_name" {
  description = "EKS cluster name."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider created for the cluster."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "cluster_endpoint_public" {
  description = "Whether the API endpoint answers from the internet (only for endpoint_public_access_cidrs)."
  value       = one(aws_eks_cluster.this.vpc_config).endpoint_public_access
}

output "cluster_endpoint_public_access_cidrs" {
  description = "Who may reach the public API endpoint; empty when it is private."
  value       = local.public_endpoint ? one(aws_eks_cluster.this.vpc_config).public_access_cidrs : toset([])
}

output "vpc_id" {
  description = "ID of the cluster's VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "The VPC's CIDR block: the load balancer's addresses, which the chart's admission.trustedProxies trusts."
  value       = aws_vpc.this.cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (nodes, pods, the control plane's network interfaces)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_ids" {
  description = "Public subnets (NAT gateway, internet-facing load balancers)."
  value       = aws_subnet.public[*].id
}

output "secrets_kms_key_arn" {
  description = "KMS key that envelope-encrypts the cluster's Kubernetes secrets."
  value       = aws_kms_key.secrets.arn
}
