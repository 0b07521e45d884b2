# GitHub Actions' OIDC issuer. An account holds one provider per URL: pass github_oidc_provider_arn to reuse an
# existing one. No thumbprint: IAM trusts this issuer through its own certificate authorities.

resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  github_oidc_provider_arn = var.github_oidc_provider_arn != null ? var.github_oidc_provider_arn : aws_iam_openid_connect_provider.github[0].arn
}
