# Real AWS, credentials from the usual chain (AWS_PROFILE, SSO, instance role...):
#   terraform -chdir=terraform init
#   terraform -chdir=terraform apply -var-file=examples/aws.tfvars
# Copy and adjust: the bucket name must be globally unique.

aws_region  = "eu-west-1"
name_prefix = "users-api"

table_name  = "users"
bucket_name = "acme-users-avatars-prod"

deletion_protection = true

# The app's ServiceAccount (Helm release namespace and serviceAccount name).
k8s_namespace       = "users"
k8s_service_account = "users-api"

# IRSA on an existing cluster: its issuer (aws eks describe-cluster --name prod
# --query cluster.identity.oidc.issuer --output text). Give oidc_provider_arn too when the
# IAM OIDC provider already exists; otherwise it is created from the issuer.
oidc_issuer_url = "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
# oidc_provider_arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

# Pod Identity instead of (or besides) IRSA: the association is made on this cluster.
eks_cluster_name = "prod"

# Lambda (SAM): narrow the log groups when the stack's function names share a prefix.
lambda_function_name_prefix = "users-api-"

# Public avatar URLs through CloudFront (the bucket stays private).
enable_cloudfront = false

tags = {
  Environment = "prod"
  Owner       = "users-team"
}
