# Lambda execution role for the SAM stack: the app policy, plus writing its own
# logs and X-Ray traces.

locals {
  lambda_trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaService"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  }

  lambda_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.lambda_function_name_prefix}*"

  lambda_runtime_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "CreateLogGroup"
        Effect   = "Allow"
        Action   = "logs:CreateLogGroup"
        Resource = local.lambda_log_group_arn
      },
      {
        Sid      = "WriteLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.lambda_log_group_arn}:log-stream:*"
      },
      {
        # X-Ray has no resource-level permissions: these write-only actions take "*".
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = "*"
      },
    ]
  }
}

resource "aws_iam_role" "lambda" {
  count = var.create_lambda_role ? 1 : 0

  name                 = "${var.name_prefix}-lambda"
  description          = "Users API Lambda functions (SAM stack)"
  assume_role_policy   = jsonencode(local.lambda_trust_policy)
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "lambda_app" {
  count = var.create_lambda_role ? 1 : 0

  role       = aws_iam_role.lambda[0].name
  policy_arn = aws_iam_policy.app.arn
}

resource "aws_iam_role_policy" "lambda_runtime" {
  count = var.create_lambda_role ? 1 : 0

  name   = "logs-and-traces"
  role   = aws_iam_role.lambda[0].id
  policy = jsonencode(local.lambda_runtime_policy)
}
