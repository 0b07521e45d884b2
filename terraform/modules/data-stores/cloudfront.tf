# Optional public avatar URLs: CloudFront reads the private bucket through origin
# access control (SigV4), so the bucket never has to be public.

resource "aws_cloudfront_origin_access_control" "avatars" {
  count = var.enable_cloudfront ? 1 : 0

  name                              = "${var.bucket_name}-oac"
  description                       = "Avatars bucket origin access"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "avatars" {
  count = var.enable_cloudfront ? 1 : 0

  enabled         = true
  comment         = "Avatars of ${var.bucket_name}"
  price_class     = var.cloudfront_price_class
  is_ipv6_enabled = true
  http_version    = "http2and3"

  origin {
    origin_id                = "avatars"
    domain_name              = aws_s3_bucket.avatars.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.avatars[0].id
  }

  default_cache_behavior {
    target_origin_id       = "avatars"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # The default *.cloudfront.net certificate; use an ACM certificate and
  # minimum_protocol_version = "TLSv1.2_2021" for a custom domain.
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
