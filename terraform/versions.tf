terraform {
  # mock_provider in tests/ needs 1.7+; the configuration itself needs 1.6+.
  required_version = ">= 1.6.0"

  # Local state; the scripts choose the file with `terraform init -backend-config=path=...`.
  # For a shared S3 backend, replace this block (or add a backend_override.tf).
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
