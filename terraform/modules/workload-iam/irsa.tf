# IAM Roles for Service Accounts: the pod's projected token (audience sts.amazonaws.com)
# is exchanged for this role's credentials, only for the app's ServiceAccount.

resource "aws_iam_openid_connect_provider" "eks" {
  count = var.create_irsa_role && var.create_oidc_provider ? 1 : 0

  url            = var.oidc_issuer_url
  client_id_list = ["sts.amazonaws.com"]
  # thumbprint_list omitted: IAM trusts the EKS issuers' certificate authorities itself.
}

locals {
  oidc_provider_arn = var.create_oidc_provider ? one(aws_iam_openid_connect_provider.eks[*].arn) : var.oidc_provider_arn
  # Condition keys use the issuer without its scheme: oidc.eks.<region>.amazonaws.com/id/<id>
  oidc_issuer_host_path = var.oidc_issuer_url == null ? "" : trimsuffix(trimprefix(var.oidc_issuer_url, "https://"), "/")

  irsa_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EksServiceAccount"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc_issuer_host_path}:sub" = "system:serviceaccount:${var.k8s_namespace}:${var.k8s_service_account}"
          "${local.oidc_issuer_host_path}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  }
}

resource "aws_iam_role" "irsa" {
  count = var.create_irsa_role ? 1 : 0

  name                 = "${var.name_prefix}-irsa"
  description          = "Users API pods on EKS via IRSA (${var.k8s_namespace}/${var.k8s_service_account})"
  assume_role_policy   = jsonencode(local.irsa_trust_policy)
  max_session_duration = 3600

  lifecycle {
    precondition {
      condition     = var.oidc_issuer_url != null
      error_message = "The IRSA role needs the cluster's OIDC issuer URL (oidc_issuer_url)."
    }
    precondition {
      condition     = var.create_oidc_provider || var.oidc_provider_arn != null
      error_message = "The IRSA role needs an OIDC provider: pass oidc_provider_arn or let it be created from oidc_issuer_url."
    }
  }
}

resource "aws_iam_role_policy_attachment" "irsa_app" {
  count = var.create_irsa_role ? 1 : 0

  role       = aws_iam_role.irsa[0].name
  policy_arn = aws_iam_policy.app.arn
}
