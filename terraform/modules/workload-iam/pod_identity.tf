# EKS Pod Identity: the alternative to IRSA, no OIDC provider needed. The EKS Pod
# Identity agent assumes this role (and tags the session) for the associated
# ServiceAccount.

locals {
  # The cluster whose Pod Identity agent may assume the role: the one named (or created), else any of this account's.
  pod_identity_cluster_arn = "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${coalesce(var.eks_cluster_name, "*")}"

  # Pinned as IRSA is: the EKS service acting for this account (aws:SourceAccount) and this cluster (aws:SourceArn),
  # and only for the app's ServiceAccount (the session tags the agent sets on every assumption). Another account,
  # cluster, namespace or service account is refused, even with an association made for it.
  pod_identity_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EksPodIdentity"
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = {
          "aws:SourceAccount"                         = local.account_id
          "aws:RequestTag/kubernetes-namespace"       = var.k8s_namespace
          "aws:RequestTag/kubernetes-service-account" = var.k8s_service_account
        }
        ArnLike = { "aws:SourceArn" = local.pod_identity_cluster_arn }
      }
    }]
  }
}

resource "aws_iam_role" "pod_identity" {
  count = var.create_pod_identity_role ? 1 : 0

  name                 = "${var.name_prefix}-pod-identity"
  description          = "Users API pods on EKS via Pod Identity"
  assume_role_policy   = jsonencode(local.pod_identity_trust_policy)
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "pod_identity_app" {
  count = var.create_pod_identity_role ? 1 : 0

  role       = aws_iam_role.pod_identity[0].name
  policy_arn = aws_iam_policy.app.arn
}

resource "aws_eks_pod_identity_association" "app" {
  count = var.create_pod_identity_role && var.create_pod_identity_association ? 1 : 0

  cluster_name    = var.eks_cluster_name
  namespace       = var.k8s_namespace
  service_account = var.k8s_service_account
  role_arn        = aws_iam_role.pod_identity[0].arn

  lifecycle {
    precondition {
      condition     = var.eks_cluster_name != null
      error_message = "The Pod Identity association needs eks_cluster_name."
    }
  }
}
