"""logging_audit_missing: ALB access logs, log retention, RDS exports, API stage access logs."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("alb_without_access_logs", '''
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
}''', "fires", "aws_lb.web: no access_logs block"),
    ("access_logs_not_enabled", '''
resource "aws_lb" "web" {
  access_logs {
    bucket = "logs-bucket"
  }
}''', "fires", "access_logs.enabled is not true"),
    ("log_group_without_retention", '''
resource "aws_cloudwatch_log_group" "app" {
  name = "/app/service"
}''', "fires", "aws_cloudwatch_log_group.app: no retention_in_days"),
    ("rds_without_exports_and_bad_export_name", '''
resource "aws_db_instance" "a" {
  engine = "postgres"
}
resource "aws_db_instance" "b" {
  engine                          = "mysql"
  enabled_cloudwatch_logs_exports = ["error", "slow_query"]
}''', "fires", "aws_db_instance.b: enabled_cloudwatch_logs_exports ['slow_query'] not published by mysql"),
    ("api_stage_without_access_logs", '''
resource "aws_api_gateway_stage" "prod" {
  stage_name    = "prod"
  rest_api_id   = "api"
  deployment_id = "dep"
}''', "fires", "aws_api_gateway_stage.prod: no access_log_settings"),
    ("alb_logs_to_bucket_without_elb_grant", '''
resource "aws_s3_bucket" "logs" {
  bucket = "alb-logs"
}
resource "aws_lb" "web" {
  access_logs {
    bucket  = aws_s3_bucket.logs.id
    enabled = true
  }
}''', "fires", "has no bucket policy letting Elastic Load Balancing write"),
    ("everything_logged", '''
data "aws_elb_service_account" "main" {}
resource "aws_s3_bucket" "logs" {
  bucket = "alb-logs"
}
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = data.aws_elb_service_account.main.arn }, Action = "s3:PutObject" }]
  })
}
resource "aws_lb" "web" {
  access_logs {
    bucket  = aws_s3_bucket.logs.id
    enabled = true
  }
}
resource "aws_cloudwatch_log_group" "app" {
  retention_in_days = 30
}''', "clear", ""),
    ("nlb_and_aurora_member", '''
resource "aws_lb" "net" {
  load_balancer_type = "network"
}
resource "aws_db_instance" "member" {
  engine             = "aurora-postgresql"
  cluster_identifier = "c"
}''', "clear", ""),
    ("rds_with_valid_exports_and_logged_stage", '''
resource "aws_rds_cluster" "c" {
  engine                          = "aurora-postgresql"
  enabled_cloudwatch_logs_exports = ["postgresql"]
}
resource "aws_apigatewayv2_stage" "s" {
  api_id = "a"
  name   = "$default"
  access_log_settings {
    destination_arn = "arn:aws:logs:us-east-1:111122223333:log-group:api"
    format          = "$context.requestId"
  }
}''', "clear", ""),
    ("access_logs_enabled_from_unset_variable", '''
variable "logs_on" {
  type = bool
}
resource "aws_lb" "web" {
  access_logs {
    bucket  = "b"
    enabled = var.logs_on
  }
}''', "unknown", "access_logs.enabled comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_logging_audit_missing(hcl, status, expect):
    check_text("logging_audit_missing", hcl, status, expect)
