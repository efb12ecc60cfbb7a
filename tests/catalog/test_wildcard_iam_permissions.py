import pytest

from tests.catalog._cases import check, run

JSONENCODE_STAR = '''
resource "aws_iam_role_policy" "worker" {
  role = "worker"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:PutItem", "dynamodb:GetItem"]
      Resource = "*"
    }]
  })
}
'''

INLINE_POLICY = '''
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
  inline_policy {
    name = "inline"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", Action = "sns:Publish", Resource = "*" }]
    })
  }
}
'''

HEREDOC_INTERPOLATED = '''
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "${aws_s3_bucket.b.arn}/*"},
    {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}
  ]
}
POLICY
}
'''

SERVICE_WILDCARD_DOC = '''
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.b.arn]
  }
}
'''

ACTION_STAR = '''
resource "aws_iam_user_policy" "u" {
  user   = "u"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::x" }] })
}
'''

WILDCARD_ONLY_ACTIONS = '''
resource "aws_iam_role_policy" "telemetry" {
  role = "r"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData", "ec2:DescribeInstances"]
      Resource = "*"
    }]
  })
}
'''

SCOPED = '''
data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
  }
}
'''

KMS_KEY_POLICY_IDIOM = '''
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Statement = [{
      Sid       = "RootAccount"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
'''

KMS_KEY_PUBLIC = '''
resource "aws_kms_key" "k" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "kms:Decrypt", Resource = "*" }]
  })
}
'''

KMS_DOC_VIA_DATA = '''
data "aws_iam_policy_document" "key" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
resource "aws_kms_key" "k" {
  policy = data.aws_iam_policy_document.key.json
}
'''

LOCAL_POLICY = '''
locals {
  worker_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }] })
}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = local.worker_policy
}
'''

CASES = [
    ("jsonencode-resource-star", JSONENCODE_STAR, "fires", ["aws_iam_role_policy.worker"],
     'Allow dynamodb:PutItem, dynamodb:GetItem on Resource "*"'),
    ("inline-policy-block", INLINE_POLICY, "fires", ["aws_iam_role.r"], 'inline_policy Allow sns:Publish on Resource "*"'),
    ("heredoc-with-interpolation", HEREDOC_INTERPOLATED, "fires", ["aws_iam_policy.p"], "sqs:SendMessage"),
    ("policy-document-service-wildcard", SERVICE_WILDCARD_DOC, "fires", ["data.aws_iam_policy_document.admin"],
     '"s3:*" (every action of the service)'),
    ("action-star", ACTION_STAR, "fires", ["aws_iam_user_policy.u"], '"*" (every action)'),
    ("kms-key-public-principal", KMS_KEY_PUBLIC, "fires", ["aws_kms_key.k"], 'Principal "*"'),
    ("policy-in-local", LOCAL_POLICY, "fires", ["aws_iam_policy.p"], '"sqs:*"'),
    ("every-log-group-arn", JSONENCODE_STAR.replace('Resource = "*"', 'Resource = "arn:aws:logs:${var.region}:*:*"'),
     "fires", ["aws_iam_role_policy.worker"], 'on Resource "arn:aws:logs:${var.region}:*:*"'),
    ("bucket-objects-arn", JSONENCODE_STAR.replace('Resource = "*"', 'Resource = "arn:aws:s3:::acme-data/*"'),
     "clear", [], None),
    ("actions-that-only-take-star", WILDCARD_ONLY_ACTIONS, "clear", [], None),
    ("scoped-and-deny", SCOPED, "clear", [], None),
    ("kms-key-policy-idiom", KMS_KEY_POLICY_IDIOM, "clear", [], None),
    ("kms-policy-document-via-data", KMS_DOC_VIA_DATA, "clear", [], None),
    ("trust-policy-only", 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = '
     '"Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })\n}\n', "clear", [], None),
    # Every log group of the account, region and account written out: still wide open.
    ("account-wide-arn", JSONENCODE_STAR.replace('Resource = "*"',
     'Resource = "arn:aws:logs:us-east-1:123456789012:log-group:*"'), "fires", ["aws_iam_role_policy.worker"],
     "log-group:*"),
    ("every-key-arn", JSONENCODE_STAR.replace('Resource = "*"', 'Resource = "arn:aws:kms:*:*:key/*"'), "fires",
     ["aws_iam_role_policy.worker"], None),
    ("one-log-group-arn", JSONENCODE_STAR.replace('Resource = "*"',
     'Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*"'), "clear", [], None),
    # "*" narrowed by a condition on the answer's own resources is no finding; a region condition is.
    ("narrowed-by-resource-tag", JSONENCODE_STAR.replace('Resource = "*"', 'Resource = "*"\n'
     '      Condition = { StringEquals = { "aws:ResourceTag/Project" = "shop" } }'), "clear", [], None),
    ("region-condition-does-not-narrow", JSONENCODE_STAR.replace('Resource = "*"', 'Resource = "*"\n'
     '      Condition = { StringEquals = { "aws:RequestedRegion" = "us-east-1" } }'), "fires",
     ["aws_iam_role_policy.worker"], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_wildcard_iam_permissions(hcl, status, addresses, fragment):
    check(run("wildcard_iam_permissions", hcl), status, addresses, fragment)


def test_evidence_points_at_the_resource_star_line():
    (f,) = run("wildcard_iam_permissions", JSONENCODE_STAR).findings
    # JSONENCODE_STAR starts with a newline, so its line 9 is `Resource = "*"`.
    assert f.line == 9 and f.evidence.strip() == 'Resource = "*"'


def test_mixed_wildcard_only_and_scoped_actions_fire():
    hcl = WILDCARD_ONLY_ACTIONS.replace('"ec2:DescribeInstances"', '"ec2:TerminateInstances"')
    check(run("wildcard_iam_permissions", hcl), "fires", fragment="ec2:TerminateInstances")
