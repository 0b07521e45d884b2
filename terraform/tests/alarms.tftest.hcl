# Plan-mode checks of the data stores' CloudWatch alarms (modules/data-stores/alarms.tf).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  table_name  = "users"
  bucket_name = "users-avatars"
}

run "alarms_cover_throttles_and_system_errors_and_notify_the_topic" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.dynamodb_throttles : a.metric_name]) == toset(["ReadThrottleEvents", "WriteThrottleEvents"])
    error_message = "Read and write throttle events must each have an alarm."
  }

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.dynamodb_system_errors : a.dimensions["Operation"]]) == toset(["PutItem", "Scan"])
    error_message = "System errors must be alarmed for the operations the app calls (PutItem, Scan)."
  }

  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.dynamodb_throttles), values(aws_cloudwatch_metric_alarm.dynamodb_system_errors)) :
    a.namespace == "AWS/DynamoDB" && a.dimensions["TableName"] == "users" && a.treat_missing_data == "notBreaching" && length(a.alarm_actions) == 1 && length(a.ok_actions) == 1])
    error_message = "Every alarm watches the users table, ignores missing data and notifies the topic on alarm and on recovery."
  }

  assert {
    condition     = aws_sns_topic.alarms[0].name == "users-data-stores-alarms" && length(aws_sns_topic_subscription.alarm_email) == 0
    error_message = "One topic, and no e-mail subscription unless alarm_email is set."
  }

  assert {
    condition     = aws_cloudwatch_dashboard.data_stores[0].dashboard_name == "users-data-stores"
    error_message = "The data stores' dashboard must be created, named after the table."
  }
}

run "an_email_is_subscribed_when_given" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    alarm_email = "oncall@example.com"
  }

  assert {
    condition     = aws_sns_topic_subscription.alarm_email[0].protocol == "email" && aws_sns_topic_subscription.alarm_email[0].endpoint == "oncall@example.com"
    error_message = "alarm_email must be subscribed to the topic by e-mail."
  }
}

run "alarms_can_be_turned_off" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    alarms_enabled = false
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_cloudwatch_metric_alarm.dynamodb_throttles) == 0 && length(aws_cloudwatch_dashboard.data_stores) == 0
    error_message = "alarms_enabled = false must create no topic, alarm or dashboard."
  }
}

run "a_bad_alarm_email_is_refused" {
  command = plan

  module {
    source = "./modules/data-stores"
  }

  variables {
    alarm_email = "not an address"
  }

  expect_failures = [var.alarm_email]
}
