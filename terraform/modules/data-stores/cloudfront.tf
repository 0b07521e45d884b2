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
    target_origin_id           = "avatars"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.avatars[0].id
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

# Security headers on every avatar response, whatever the object's metadata says (override = true). An avatar is an
# image and nothing else: a browser must not sniff it into HTML or script (nosniff), must not run or load anything if
# it is ever opened as a document (CSP default-src 'none'), must not frame it (X-Frame-Options), must reach it over
# HTTPS only (HSTS, two years; no preload, the domain may be CloudFront's), and sends no referrer from it.
resource "aws_cloudfront_response_headers_policy" "avatars" {
  count = var.enable_cloudfront ? 1 : 0

  name    = "${replace(var.bucket_name, ".", "-")}-avatars-security"
  comment = "Security headers for the avatars of ${var.bucket_name}"

  security_headers_config {
    content_type_options {
      override = true
    }

    content_security_policy {
      content_security_policy = "default-src 'none'"
      override                = true
    }

    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = false
      override                   = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
  }
}
