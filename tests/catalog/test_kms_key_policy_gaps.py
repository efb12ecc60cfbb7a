"""kms_key_policy_gaps: keys used by Logs/CloudTrail/SNS-with-publishers lacking the service principal."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("log_group_key_without_policy", '''
resource "aws_kms_key" "logs" {
  enable_key_rotation = true
}
resource "aws_cloudwatch_log_group" "app" {
  name       = "/app"
  kms_key_id = aws_kms_key.logs.arn
}''', "fires", "aws_kms_key.logs: used by aws_cloudwatch_log_group.app but has no key policy"),
    ("cloudtrail_key_policy_misses_cloudtrail", '''
resource "aws_kms_key" "trail" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*" }]
  })
}
resource "aws_cloudtrail" "t" {
  name           = "t"
  s3_bucket_name = "b"
  kms_key_id     = aws_kms_key.trail.arn
}''', "fires", "does not allow cloudtrail.amazonaws.com"),
    ("sns_key_alarm_publisher_via_alias", '''
resource "aws_kms_key" "sns" {
  enable_key_rotation = true
}
resource "aws_kms_alias" "sns" {
  name          = "alias/sns"
  target_key_id = aws_kms_key.sns.key_id
}
resource "aws_sns_topic" "alerts" {
  kms_master_key_id = aws_kms_alias.sns.arn
}
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name    = "cpu"
  alarm_actions = [aws_sns_topic.alerts.arn]
}''', "fires", "allow cloudwatch.amazonaws.com"),
    ("sns_key_config_publisher", '''
resource "aws_kms_key" "k" {
  policy = jsonencode({ Statement = [{ Principal = { Service = "cloudwatch.amazonaws.com" } }] })
}
resource "aws_sns_topic" "compliance" {
  kms_master_key_id = aws_kms_key.k.arn
}
resource "aws_config_delivery_channel" "ch" {
  s3_bucket_name = "config-bucket"
  sns_topic_arn  = aws_sns_topic.compliance.arn
}''', "fires", "does not allow config.amazonaws.com"),
    ("log_group_key_allows_regional_logs", '''
data "aws_region" "current" {}
data "aws_iam_policy_document" "key" {
  statement {
    actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}
resource "aws_kms_key" "logs" {
  policy = data.aws_iam_policy_document.key.json
}
resource "aws_cloudwatch_log_group" "app" {
  kms_key_id = aws_kms_key.logs.arn
}''', "clear", ""),
    ("separate_key_policy_resource", '''
resource "aws_kms_key" "trail" {}
resource "aws_kms_key_policy" "trail" {
  key_id = aws_kms_key.trail.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "cloudtrail.amazonaws.com" }, Action = "kms:GenerateDataKey*" }]
  })
}
resource "aws_cloudtrail" "t" {
  kms_key_id = aws_kms_key.trail.arn
}''', "clear", ""),
    ("sns_key_without_service_publishers", '''
resource "aws_kms_key" "sns" {}
resource "aws_sns_topic" "orders" {
  kms_master_key_id = aws_kms_key.sns.id
}
resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.orders.arn
  protocol  = "email"
  endpoint  = "ops@example.com"
}''', "clear", ""),
    ("policy_from_template_file", '''
resource "aws_kms_key" "logs" {
  policy = templatefile("key-policy.json.tpl", { account = "1" })
}
resource "aws_cloudwatch_log_group" "app" {
  kms_key_id = aws_kms_key.logs.arn
}''', "unknown", "key policy comes from a file, variable or module"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kms_key_policy_gaps(hcl, status, expect):
    check_text("kms_key_policy_gaps", hcl, status, expect)
