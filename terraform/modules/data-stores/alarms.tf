# CloudWatch alarms and a dashboard for the data stores, to one SNS topic (runbook: docs/runbook.md,
# "CloudWatch alarms"). The Lambda and API Gateway alarms live with those resources, in template.yaml.

data "aws_region" "current" {}

locals {
  alarm_actions = var.alarms_enabled ? [aws_sns_topic.alarms[0].arn] : []
  # The operations the app calls (a throttled or failed DescribeTable is readiness, not user traffic).
  dynamodb_operations = toset(["PutItem", "Scan"])
}

resource "aws_sns_topic" "alarms" {
  count = var.alarms_enabled ? 1 : 0

  name = "${var.table_name}-data-stores-alarms"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarms_enabled && var.alarm_email != null ? 1 : 0

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# Throttling: reads (Scan) and writes (PutItem) rejected for capacity, in 3 of the last 5 minutes.
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.alarms_enabled ? toset(["ReadThrottleEvents", "WriteThrottleEvents"]) : toset([])

  alarm_name          = "${var.table_name}-dynamodb-${each.key == "ReadThrottleEvents" ? "read" : "write"}-throttles"
  alarm_description   = "DynamoDB table ${var.table_name}: ${each.key} above ${var.dynamodb_throttle_threshold} a minute in 3 of the last 5 minutes."
  namespace           = "AWS/DynamoDB"
  metric_name         = each.key
  dimensions          = { TableName = aws_dynamodb_table.users.name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.dynamodb_throttle_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# System errors: DynamoDB answered 5xx to the app's operations.
resource "aws_cloudwatch_metric_alarm" "dynamodb_system_errors" {
  for_each = var.alarms_enabled ? local.dynamodb_operations : toset([])

  alarm_name          = "${var.table_name}-dynamodb-system-errors-${lower(each.key)}"
  alarm_description   = "DynamoDB table ${var.table_name}: ${each.key} system errors (HTTP 5xx from DynamoDB) in 2 of the last 5 minutes."
  namespace           = "AWS/DynamoDB"
  metric_name         = "SystemErrors"
  dimensions          = { TableName = aws_dynamodb_table.users.name, Operation = each.key }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "data_stores" {
  count = var.alarms_enabled ? 1 : 0

  dashboard_name = "${var.table_name}-data-stores"
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "DynamoDB throttles", region = data.aws_region.current.name, stat = "Sum", period = 60
          metrics = [
            ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", aws_dynamodb_table.users.name],
            [".", "WriteThrottleEvents", ".", "."],
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "DynamoDB system errors and latency (ms)", region = data.aws_region.current.name, period = 60
          metrics = concat(
            [for op in local.dynamodb_operations : ["AWS/DynamoDB", "SystemErrors", "TableName", aws_dynamodb_table.users.name, "Operation", op, { stat = "Sum" }]],
            [for op in local.dynamodb_operations : ["AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", aws_dynamodb_table.users.name, "Operation", op, { stat = "p99", yAxis = "right" }]],
          )
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title = "DynamoDB consumed capacity", region = data.aws_region.current.name, stat = "Sum", period = 60
          metrics = [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", aws_dynamodb_table.users.name],
            [".", "ConsumedWriteCapacityUnits", ".", "."],
          ]
        }
      },
      {
        type = "alarm", x = 12, y = 6, width = 12, height = 6
        properties = {
          title  = "Alarms"
          alarms = concat([for a in aws_cloudwatch_metric_alarm.dynamodb_throttles : a.arn], [for a in aws_cloudwatch_metric_alarm.dynamodb_system_errors : a.arn])
        }
      },
    ]
  })
}
