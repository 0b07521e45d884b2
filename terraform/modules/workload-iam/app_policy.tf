# The app's only permissions: exactly the calls the code makes, on this table and
# this bucket's avatars/ objects. Shared by the IRSA, Pod Identity and Lambda roles.
locals {
  app_policy_statements = [
    {
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = var.table_arn
    },
    {
      Sid      = "AvatarObjects"
      Effect   = "Allow"
      Action   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
      Resource = "${var.bucket_arn}/${var.avatars_prefix}*"
    },
    {
      # HeadBucket (readiness check) is authorised by s3:ListBucket on the bucket.
      Sid      = "AvatarsBucket"
      Effect   = "Allow"
      Action   = "s3:ListBucket"
      Resource = var.bucket_arn
    },
  ]
}

resource "aws_iam_policy" "app" {
  name        = "${var.name_prefix}-app"
  description = "Users API: DynamoDB table and S3 avatars access, nothing else"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.app_policy_statements
  })
}
