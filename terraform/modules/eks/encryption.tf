# The KMS key that envelope-encrypts the cluster's Kubernetes secrets (cluster.tf, encryption_config). Since 1.28 EKS
# encrypts all API data with an AWS-owned key by default; this customer-managed key puts secrets under a key this
# account controls: every use is in CloudTrail, and disabling it or revoking the cluster role makes them unreadable.
# Rotated yearly; its key policy is the account's default (IAM decides), and the cluster role may use it for this alone.

resource "aws_kms_key" "secrets" {
  description             = "EKS ${var.cluster_name}: envelope encryption of Kubernetes secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.cluster_name}-eks-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

# What the control plane does with the key (the same four actions terraform-aws-modules/eks grants its cluster role).
resource "aws_iam_role_policy" "cluster_encryption" {
  name = "secrets-encryption"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
      Resource = aws_kms_key.secrets.arn
    }]
  })
}
