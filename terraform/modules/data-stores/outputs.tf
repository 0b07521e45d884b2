output "table_name" {
  description = "DynamoDB table name."
  value       = aws_dynamodb_table.users.name
}

output "table_arn" {
  description = "DynamoDB table ARN."
  value       = aws_dynamodb_table.users.arn
}

output "bucket_name" {
  description = "Avatars bucket name."
  value       = aws_s3_bucket.avatars.bucket
}

output "bucket_arn" {
  description = "Avatars bucket ARN."
  value       = aws_s3_bucket.avatars.arn
}

output "avatars_prefix" {
  description = "Key prefix of the avatar objects."
  value       = var.avatars_prefix
}

output "cloudfront_distribution_id" {
  description = "CloudFront distribution ID, or null when CloudFront is off."
  value       = one(aws_cloudfront_distribution.avatars[*].id)
}

output "avatars_public_base_url" {
  description = "https:// base URL of the avatars through CloudFront, or null when CloudFront is off."
  value       = var.enable_cloudfront ? "https://${aws_cloudfront_distribution.avatars[0].domain_name}" : null
}

output "alarm_topic_arn" {
  description = "SNS topic of the data stores' CloudWatch alarms, or null when alarms are off."
  value       = one(aws_sns_topic.alarms[*].arn)
}
