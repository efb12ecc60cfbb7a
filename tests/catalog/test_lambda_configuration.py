"""lambda_configuration: deprecated runtimes, async failure handling, timeout, log group."""

import pytest

from tests.catalog._cases import check_text

_LG = '''
resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/${aws_lambda_function.fn.function_name}"
  retention_in_days = 14
}'''

CASES = [
    ("deprecated_python", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.7"
  timeout       = 30
}''' + _LG, "fires", "aws_lambda_function.fn: runtime python3.7 is deprecated (since 2023-12-04)"),
    ("async_from_eventbridge_without_dlq", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.12"
  timeout       = 30
}
resource "aws_lambda_permission" "events" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "events.amazonaws.com"
  action        = "lambda:InvokeFunction"
}''' + _LG, "fires", "invoked asynchronously by events.amazonaws.com without dead_letter_config"),
    ("no_timeout", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "nodejs20.x"
}''' + _LG, "fires", "no timeout (defaults to 3 seconds)"),
    ("no_log_group", '''
resource "aws_lambda_function" "fn" {
  function_name = "orders-fn"
  runtime       = "java21"
  timeout       = 60
}''', "fires", "no aws_cloudwatch_log_group /aws/lambda/<function_name>"),
    ("supported_runtime_sync_invocation", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.12"
  timeout       = 10
}
resource "aws_lambda_permission" "api" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
}''' + _LG, "clear", ""),
    ("async_with_on_failure_destination", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "nodejs22.x"
  timeout       = 30
}
resource "aws_lambda_permission" "s3" {
  function_name = aws_lambda_function.fn.arn
  principal     = "s3.amazonaws.com"
}
resource "aws_lambda_function_event_invoke_config" "c" {
  function_name = aws_lambda_function.fn.function_name
  destination_config {
    on_failure {
      destination = "arn:aws:sqs:us-east-1:111122223333:failed"
    }
  }
}''' + _LG, "clear", ""),
    ("log_group_with_literal_name_and_dlq", '''
resource "aws_lambda_function" "fn" {
  function_name = "billing"
  runtime       = "ruby3.3"
  timeout       = 15
  dead_letter_config {
    target_arn = "arn:aws:sqs:us-east-1:111122223333:dlq"
  }
}
resource "aws_lambda_permission" "sns" {
  function_name = aws_lambda_function.fn.function_name
  principal     = "sns.amazonaws.com"
}
resource "aws_cloudwatch_log_group" "billing" {
  name = "/aws/lambda/billing"
}''', "clear", ""),
    ("runtime_from_unset_variable", '''
variable "runtime" {
  type = string
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = var.runtime
  timeout       = 5
}''' + _LG, "unknown", "runtime comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lambda_configuration(hcl, status, expect):
    check_text("lambda_configuration", hcl, status, expect)


def test_timeout_and_log_group_findings_are_low():
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_hcl
    from drdata.taxonomy import category

    out = run_detector(registry()["lambda_configuration"], parse_hcl('''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.8"
}'''))
    sev = {f.message.split(": ", 1)[1][:10]: f.severity for f in out.findings}
    default = category("lambda_configuration").severity
    assert default != "Low"
    assert sev == {"runtime py": default, "no timeout": "Low", "no aws_clo": "Low"}


_NODE16 = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "nodejs16.x"
  timeout       = 30
}""" + _LG


@pytest.mark.parametrize("prompt,status", [
    ("Write the Lambda in Node.js 16.", "clear"),
    ("The Lambda uses nodejs16.x.", "clear"),
    ("Write the Lambda in Node.js 20.", "fires"),
    ("Write the Lambda in Python 3.12.", "fires"),
])
def test_a_deprecated_runtime_the_prompt_names_is_the_prompts_choice(prompt, status):
    from tests.catalog._cases import run

    assert run("lambda_configuration", _NODE16, prompt).status == status


def test_an_sns_subscription_is_an_asynchronous_invoker():
    hcl = """
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  runtime       = "python3.12"
  timeout       = 30
}
resource "aws_sns_topic" "t" {
  name = "t"
}
resource "aws_sns_topic_subscription" "s" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.fn.arn
}""" + _LG
    check_text("lambda_configuration", hcl, "fires", "invoked asynchronously by sns.amazonaws.com")
    handled = hcl.replace('  timeout       = 30\n', '  timeout       = 30\n  dead_letter_config {\n'
                          '    target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq"\n  }\n', 1)
    check_text("lambda_configuration", handled, "clear", "")
