# Kubernetes rights of the deploy role on a cluster this configuration creates: an access entry and the managed
# AmazonEKSEditPolicy, scoped to the release namespace only (Helm keeps its release secrets there; the chart has
# no cluster-scoped objects). The namespace itself is created by a cluster admin, not by the release.

resource "aws_eks_access_entry" "deploy" {
  count = var.create_eks_access_entry ? 1 : 0

  cluster_name  = var.eks_cluster_name
  principal_arn = aws_iam_role.deploy.arn
  type          = "STANDARD"

  lifecycle {
    precondition {
      condition     = var.eks_cluster_name != null
      error_message = "create_eks_access_entry needs eks_cluster_name."
    }
  }
}

resource "aws_eks_access_policy_association" "deploy" {
  count = var.create_eks_access_entry ? 1 : 0

  cluster_name  = var.eks_cluster_name
  principal_arn = aws_eks_access_entry.deploy[0].principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [var.release_namespace]
  }
}
