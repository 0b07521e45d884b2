variable "table_name" {
  description = "DynamoDB table name."
  type        = string
}

variable "bucket_name" {
  description = "S3 avatars bucket name."
  type        = string
}

variable "avatars_prefix" {
  description = "Key prefix of the avatar objects (the app writes avatars/<id>.<ext>)."
  type        = string
  default     = "avatars/"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]+/$", var.avatars_prefix))
    error_message = "avatars_prefix must be a single folder name ending with '/'."
  }
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection; when false the bucket is also force-destroyable (objects and versions included)."
  type        = bool
  default     = true
}

variable "deny_insecure_transport" {
  description = "Bucket policy denying requests without TLS or with TLS < 1.2. Only plain-HTTP emulators need false."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions expire."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be >= 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1
    error_message = "abort_incomplete_multipart_upload_days must be >= 1."
  }
}

variable "enable_cloudfront" {
  description = "Create a CloudFront distribution with origin access control in front of the avatars."
  type        = bool
  default     = false
}

variable "cloudfront_price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

# --- Alarms (alarms.tf) ---

variable "alarms_enabled" {
  description = "Create the data stores' CloudWatch alarms (DynamoDB throttles and system errors), their SNS topic and a dashboard."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (null: none; subscribe other endpoints to the alarm_topic_arn output)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an e-mail address or null."
  }
}

variable "dynamodb_throttle_threshold" {
  description = "Throttle events a minute above which a minute counts as breaching (3 breaching minutes of 5 raise the alarm)."
  type        = number
  default     = 0

  validation {
    condition     = var.dynamodb_throttle_threshold >= 0
    error_message = "dynamodb_throttle_threshold must be >= 0."
  }
}
