"""missing_monitoring_alarms: no alarms at all, alarms that notify no one, databases no alarm watches.

Alarm coverage is matched by reference or by name text, never by evaluated values; an answer cut off (or with
blocks that did not parse and mention alarms) cannot tell that an alarm is missing.
"""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("services_without_any_alarm", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
}
resource "aws_sqs_queue" "q" {
  name = "q"
}''', "fires", "aws_lambda_function.fn no aws_cloudwatch_metric_alarm at all for 2 monitorable resource(s)"),
    ("alarms_without_actions", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
}
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name  = "fn-errors"
  metric_name = "Errors"
  namespace   = "AWS/Lambda"
  dimensions = {
    FunctionName = aws_lambda_function.fn.function_name
  }
}''', "fires", "aws_cloudwatch_metric_alarm.errors: no alarm in the answer has alarm_actions"),
    ("database_not_watched", '''
resource "aws_sns_topic" "ops" {}
resource "aws_db_instance" "db" {
  identifier = "orders-db"
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
}
resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_actions = [aws_sns_topic.ops.arn]
  dimensions = {
    FunctionName = aws_lambda_function.fn.function_name
  }
}''', "fires", "aws_db_instance.db: no CloudWatch alarm watches it"),
    ("database_watched_by_literal_name", '''
resource "aws_db_instance" "db" {
  identifier = "orders-db"
}
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_actions = ["arn:aws:sns:us-east-1:111122223333:ops"]
  dimensions = {
    DBInstanceIdentifier = "orders-db"
  }
}''', "clear", ""),
    ("cluster_watched_by_same_expression", '''
variable "name" {
  type = string
}
resource "aws_rds_cluster" "c" {
  cluster_identifier = "${var.name}-aurora"
}
resource "aws_cloudwatch_metric_alarm" "cpu" {
  ok_actions = ["arn:aws:sns:us-east-1:111122223333:ops"]
  dimensions = {
    DBClusterIdentifier = "${var.name}-aurora"
  }
}''', "clear", ""),
    ("nothing_to_monitor", '''
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}''', "clear", ""),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_monitoring_alarms(hcl, status, expect):
    check_text("missing_monitoring_alarms", hcl, status, expect)


SERVICES = 'resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n}\n'


@pytest.mark.parametrize("tail,status", [
    ("```\n", "fires"),  # complete answer, no alarm anywhere
    ('resource "aws_sqs_queue" "q" {\n  name = "q"\n', "unknown"),  # cut off: the alarms may come later
    ('resource "aws_cloudwatch_metric_alarm" "e" {\n  alarm_name = \n}\n```\n', "unknown"),  # alarm did not parse
])
def test_no_alarm_in_an_answer_cut_off_or_partly_unparsed_cannot_be_told(tail, status):
    from tests.catalog._cases import run_md

    md = "```hcl\n" + SERVICES + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n' + tail
    out = run_md("missing_monitoring_alarms", md)
    assert out.status == status, (out.findings, out.reasons)
