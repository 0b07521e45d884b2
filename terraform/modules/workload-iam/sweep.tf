# The avatar sweep's Lambda execution role (template.yaml's UsersSweepFunction): only what the sweep calls, on this
# table and this bucket's avatars/ objects, plus its logs and traces (lambda.tf's runtime policy). The chart's CronJob
# runs with the pods' service account instead: the IRSA / Pod Identity roles' app policy already allows these calls.
# Each one, with the code path that uses it: docs/iam.md. test/Users.Terraform.Tests records every request of the
# sweep (the process the CronJob runs, the function through the Lambda emulator) and evaluates it against these roles.
locals {
  sweep_policy_statements = [
    {
      # Scan: the strongly consistent scans of the users' avatar URLs (the referenced avatars, then the re-check).
      Sid      = "ScanTheUsers"
      Effect   = "Allow"
      Action   = "dynamodb:Scan"
      Resource = var.table_arn
    },
    {
      # ListObjectsV2 under avatars/ only (the s3:prefix the request names).
      Sid       = "ListTheAvatars"
      Effect    = "Allow"
      Action    = "s3:ListBucket"
      Resource  = var.bucket_arn
      Condition = { StringEquals = { "s3:prefix" = var.avatars_prefix } }
    },
    {
      # DeleteObject: an avatar no user points to.
      Sid      = "RemoveOrphanedAvatars"
      Effect   = "Allow"
      Action   = "s3:DeleteObject"
      Resource = "${var.bucket_arn}/${var.avatars_prefix}*"
    },
  ]
}

resource "aws_iam_policy" "sweep" {
  count = var.create_lambda_role ? 1 : 0

  name        = "${var.name_prefix}-sweep"
  description = "Users API avatar sweep: scan the users, list and remove avatars, nothing else"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.sweep_policy_statements
  })
}

resource "aws_iam_role" "lambda_sweep" {
  count = var.create_lambda_role ? 1 : 0

  name                 = "${var.name_prefix}-lambda-sweep"
  description          = "Users API avatar sweep Lambda function (SAM stack)"
  assume_role_policy   = jsonencode(local.lambda_trust_policy)
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "lambda_sweep" {
  count = var.create_lambda_role ? 1 : 0

  role       = aws_iam_role.lambda_sweep[0].name
  policy_arn = aws_iam_policy.sweep[0].arn
}

resource "aws_iam_role_policy" "lambda_sweep_runtime" {
  count = var.create_lambda_role ? 1 : 0

  name   = "logs-and-traces"
  role   = aws_iam_role.lambda_sweep[0].id
  policy = jsonencode(local.lambda_runtime_policy)
}
