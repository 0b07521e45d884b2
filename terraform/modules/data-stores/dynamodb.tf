# Users table: one item per user, keyed by email (the app's only key).
resource "aws_dynamodb_table" "users" {
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST" # on-demand: no capacity to plan, no throttling at low traffic
  hash_key     = "email"

  attribute {
    name = "email"
    type = "S"
  }

  # Encryption at rest with the AWS managed KMS key (aws/dynamodb), visible and auditable in KMS.
  server_side_encryption {
    enabled = true
  }

  # Continuous backups: restore to any second of the last 35 days.
  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
}
