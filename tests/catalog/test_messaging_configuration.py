"""messaging_configuration: DLQs, FIFO names, SNS-to-SQS policies, visibility timeouts, plain HTTP.

No cannot-tell case: unresolved names or timeouts are left alone (the rules judge literal values only).
"""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("queue_without_dlq", '''
resource "aws_sqs_queue" "orders" {
  name = "orders"
}''', "fires", "aws_sqs_queue.orders: no redrive_policy"),
    ("fifo_name_without_suffix", '''
resource "aws_sqs_queue" "events_dlq" {
  name       = "events-dlq"
  fifo_queue = true
}''', "fires", "FIFO queue name 'events-dlq' does not end in .fifo"),
    ("sns_to_queue_without_policy", '''
resource "aws_sqs_queue" "jobs_dlq" {
  name = "jobs-dlq"
}
resource "aws_sqs_queue" "jobs" {
  name           = "jobs"
  redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn, maxReceiveCount = 3 })
}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = "arn:topic"
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.jobs.arn
}''', "fires", "SNS delivers to aws_sqs_queue.jobs, which has no queue policy"),
    ("visibility_below_function_timeout", '''
resource "aws_sqs_queue" "in_dlq" {
  name = "in-dlq"
}
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = 120
}
resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = aws_sqs_queue.in_dlq.arn
  function_name    = aws_lambda_function.worker.arn
}''', "fires", "visibility_timeout_seconds 30 is below aws_lambda_function.worker timeout 120"),
    ("http_subscription", '''
resource "aws_sns_topic_subscription" "hook" {
  topic_arn = "arn:topic"
  protocol  = "http"
  endpoint  = "http://example.com/hook"
}''', "fires", "subscription over plain http"),
    ("queue_with_dlq_and_policy", '''
resource "aws_sqs_queue" "dead" {
  name = "orders-dead"
}
resource "aws_sqs_queue" "orders" {
  name                       = "orders"
  visibility_timeout_seconds = 360
  redrive_policy             = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dead.arn, maxReceiveCount = 5 })
}
resource "aws_sqs_queue_policy" "orders" {
  queue_url = aws_sqs_queue.orders.id
  policy    = jsonencode({ Statement = [{ Principal = { Service = "sns.amazonaws.com" } }] })
}
resource "aws_sns_topic_subscription" "s" {
  protocol = "sqs"
  endpoint = aws_sqs_queue.orders.arn
}''', "clear", ""),
    ("fifo_named_right_and_target_of_lambda_dlq", '''
resource "aws_sqs_queue" "failures" {
  name       = "failures.fifo"
  fifo_queue = true
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  dead_letter_config {
    target_arn = aws_sqs_queue.failures.arn
  }
}''', "clear", ""),
    ("https_subscription", '''
resource "aws_sns_topic_subscription" "hook" {
  protocol = "https"
  endpoint = "https://example.com/hook"
}''', "clear", ""),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_messaging_configuration(hcl, status, expect):
    check_text("messaging_configuration", hcl, status, expect)
