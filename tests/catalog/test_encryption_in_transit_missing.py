"""encryption_in_transit_missing: plain HTTP serving, weak/no TLS policy, allow-all viewers, transit off."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("http_listener_forwards", '''
resource "aws_lb_listener" "http" {
  load_balancer_arn = "arn"
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "tg"
  }
}''', "fires", "aws_lb_listener.http: HTTP listener forwards traffic"),
    ("https_without_policy", '''
resource "aws_lb_listener" "https" {
  port            = 443
  protocol        = "HTTPS"
  certificate_arn = "arn:cert"
  default_action {
    type = "forward"
  }
}''', "fires", "HTTPS listener without ssl_policy"),
    ("cloudfront_allow_all", '''
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  default_cache_behavior {
    target_origin_id       = "o"
    viewer_protocol_policy = "allow-all"
  }
}''', "fires", "default_cache_behavior viewer_protocol_policy = allow-all"),
    ("redis_transit_off", '''
resource "aws_elasticache_replication_group" "r" {
  replication_group_id = "r"
  description          = "cache"
}''', "fires", "transit_encryption_enabled absent"),
    ("bucket_policy_without_securetransport", '''
resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "cloudtrail.amazonaws.com" }, Action = "s3:PutObject" }]
  })
}''', "fires", "bucket policy has no aws:SecureTransport deny"),
    ("http_redirects_https_has_policy", '''
resource "aws_lb_listener" "http" {
  port     = 80
  protocol = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
resource "aws_lb_listener" "https" {
  port       = 443
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  default_action {
    type = "forward"
  }
}''', "clear", ""),
    ("bucket_policy_denies_insecure_via_document", '''
data "aws_iam_policy_document" "tls" {
  statement {
    effect  = "Deny"
    actions = ["s3:*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = data.aws_iam_policy_document.tls.json
}''', "clear", ""),
    ("tcp_nlb_and_https_cloudfront", '''
resource "aws_lb_listener" "tcp" {
  port     = 5432
  protocol = "TCP"
  default_action {
    type = "forward"
  }
}
resource "aws_cloudfront_distribution" "cdn" {
  default_cache_behavior {
    viewer_protocol_policy = "redirect-to-https"
  }
}''', "clear", ""),
    ("listener_protocol_from_variable", '''
variable "proto" {
  type = string
}
resource "aws_lb_listener" "l" {
  port     = 80
  protocol = var.proto
  default_action {
    type = "forward"
  }
}''', "unknown", "protocol comes from an unresolved expression"),
    ("policy_from_file", '''
resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = file("policy.json")
}''', "unknown", "bucket policy comes from a file or variable"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_encryption_in_transit_missing(hcl, status, expect):
    check_text("encryption_in_transit_missing", hcl, status, expect)
