import pytest

from tests.detectors._ref import check, run

SUFFIX_VAR = 'variable "environment_suffix" {\n  type = string\n}\n'

THROUGH_LOCALS = SUFFIX_VAR + '''
resource "random_id" "r" {
  byte_length = 4
}
locals {
  unique_suffix = "${var.environment_suffix}-${random_id.r.hex}"
  name_prefix   = "shop-${local.unique_suffix}"
}
resource "aws_s3_bucket" "data" {
  bucket = "${local.name_prefix}-data"
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = merge(local.common, {
    Name = "${local.name_prefix}-vpc"
  })
}
locals {
  common = { Team = "core" }
}
'''

CASES = [
    ("no-suffix-variable",
     'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\nresource "aws_lambda_function" "f" {\n'
     '  function_name = "worker-${var.env}"\n}\nvariable "env" {\n  default = "dev"\n}\n',
     "fires", ["aws_sqs_queue.jobs", "aws_lambda_function.f"], "the answer declares no suffix variable"),
    ("declared-but-unused", SUFFIX_VAR + 'resource "aws_dynamodb_table" "t" {\n  name = "orders"\n}\n',
     "fires", ["aws_dynamodb_table.t"], 'name = "orders" does not include var.environment_suffix'),
    ("tags-name-only", 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n    Name = "core-vpc"\n  }\n}\n',
     "fires", ["aws_vpc.v"], 'tags.Name = "core-vpc"'),
    ("random-suffix-is-not-the-deployment-suffix",
     'resource "random_string" "s" {\n  length = 6\n}\nresource "aws_s3_bucket" "b" {\n'
     '  bucket = "logs-${random_string.s.result}"\n}\n', "fires", ["aws_s3_bucket.b"], None),
    ("suffix-through-locals", THROUGH_LOCALS, "clear", [], None),
    ("camel-case-suffix", 'variable "environmentSuffix" {}\nresource "aws_sns_topic" "t" {\n'
     '  name = "alerts-${var.environmentSuffix}"\n}\n', "clear", [], None),
    ("name-from-suffixed-resource", SUFFIX_VAR + '''
resource "aws_lambda_function" "f" {
  function_name = "worker-${var.environment_suffix}"
}
resource "aws_cloudwatch_log_group" "lg" {
  name = "/aws/lambda/${aws_lambda_function.f.function_name}"
}
''', "clear", [], None),
    ("unnamed-and-parent-scoped", '''
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
}
resource "aws_iam_role_policy" "p" {
  name = "inline"
  role = "r"
}
resource "aws_sqs_queue" "generated" {
  fifo_queue = false
}
''', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_environment_suffix(hcl, status, addresses, fragment):
    check(run("missing_environment_suffix", hcl), status, addresses, fragment)


def test_tags_name_evidence_is_the_name_line():
    hcl = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n    Team = "x"\n    Name = "core"\n  }\n}\n'
    (f,) = run("missing_environment_suffix", hcl).findings
    assert (f.line, f.evidence.strip()) == (5, 'Name = "core"')
