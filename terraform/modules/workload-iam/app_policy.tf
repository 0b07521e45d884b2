# The app's only permissions: exactly the calls the code makes, on this table and
# this bucket's avatars/ objects. Shared by the IRSA, Pod Identity and Lambda roles.
# Each one, with the code path that uses it: docs/iam.md. test/Users.Terraform.Tests records every request the app
# sends (both hosts, the contract suite, both reconciler paths) and evaluates it against these roles.
locals {
  app_policy_statements = [
    {
      # PutItem: registration (conditional write). GetItem: the outcome check after a refused or failed write, and the
      # reconciler. Scan: GET /users. DescribeTable: readiness.
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = var.table_arn
    },
    {
      # PutObject: registration. DeleteObject: removing a failed registration's avatar (request, reconciler).
      # GetObject: the presigned GET URLs the API hands out (AVATAR_URL_MODE=presigned) are signed with this role.
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
