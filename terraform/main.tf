# Root module: wires the data stores, the workload IAM and the optional EKS cluster.

module "data_stores" {
  source = "./modules/data-stores"

  table_name                             = var.table_name
  bucket_name                            = var.bucket_name
  deletion_protection                    = var.deletion_protection
  deny_insecure_transport                = var.deny_insecure_transport
  noncurrent_version_expiration_days     = var.noncurrent_version_expiration_days
  abort_incomplete_multipart_upload_days = var.abort_incomplete_multipart_upload_days
  enable_cloudfront                      = var.enable_cloudfront
  cloudfront_price_class                 = var.cloudfront_price_class

  # Observability: CloudWatch alarms, SNS topic and dashboard (modules/data-stores/alarms.tf).
  alarms_enabled = var.alarms_enabled
  alarm_email    = var.alarm_email
}

module "eks" {
  source = "./modules/eks"
  count  = var.create_eks_cluster ? 1 : 0

  cluster_name        = coalesce(var.eks_cluster_name, var.name_prefix)
  kubernetes_version  = var.eks_kubernetes_version
  vpc_cidr            = var.eks_vpc_cidr
  node_instance_types = var.eks_node_instance_types
  node_count          = var.eks_node_count
  admin_principal_arn = var.eks_admin_principal_arn

  endpoint_public_access_cidrs = var.eks_endpoint_public_access_cidrs
}

locals {
  # IRSA: against the cluster created here, or an existing one given by its issuer
  # (and optionally its existing OIDC provider). Decided from inputs only, so the
  # counts are known at plan time.
  irsa_enabled         = var.create_eks_cluster || var.oidc_issuer_url != null
  create_oidc_provider = !var.create_eks_cluster && var.oidc_issuer_url != null && var.oidc_provider_arn == null
  oidc_issuer_url      = var.create_eks_cluster ? module.eks[0].oidc_issuer_url : var.oidc_issuer_url
  oidc_provider_arn    = var.create_eks_cluster ? module.eks[0].oidc_provider_arn : var.oidc_provider_arn

  pod_identity_association = var.create_pod_identity_role && var.create_pod_identity_association && (var.create_eks_cluster || var.eks_cluster_name != null)
  pod_identity_cluster     = var.create_eks_cluster ? module.eks[0].cluster_name : var.eks_cluster_name
}

module "workload_iam" {
  source = "./modules/workload-iam"

  name_prefix    = var.name_prefix
  table_arn      = module.data_stores.table_arn
  bucket_arn     = module.data_stores.bucket_arn
  avatars_prefix = module.data_stores.avatars_prefix

  create_irsa_role     = local.irsa_enabled
  create_oidc_provider = local.create_oidc_provider
  oidc_issuer_url      = local.oidc_issuer_url
  oidc_provider_arn    = local.oidc_provider_arn
  k8s_namespace        = var.k8s_namespace
  k8s_service_account  = var.k8s_service_account

  create_pod_identity_role        = var.create_pod_identity_role
  create_pod_identity_association = local.pod_identity_association
  eks_cluster_name                = local.pod_identity_cluster

  create_lambda_role          = var.create_lambda_role
  lambda_function_name_prefix = var.lambda_function_name_prefix
}
