import pytest

from drdata.catalog.naming_rule_violation import split_template
from tests.catalog._cases import check, run

CASES = [
    ("bucket-uppercase", 'resource "aws_s3_bucket" "b" {\n  bucket = "My-Bucket"\n}\n', "fires", ["aws_s3_bucket.b"],
     "uppercase"),
    ("bucket-underscore", 'resource "aws_s3_bucket" "b" {\n  bucket = "app_logs"\n}\n', "fires", ["aws_s3_bucket.b"], "'_'"),
    ("tg-too-long", 'resource "aws_lb_target_group" "t" {\n  name = "payments-service-blue-target-group"\n}\n', "fires",
     ["aws_lb_target_group.t"], "limit 32"),
    ("lb-name-prefix", 'resource "aws_lb" "l" {\n  name_prefix = "webapp-"\n}\n', "fires", ["aws_lb.l"], "limit 6"),
    ("sg-prefix", 'resource "aws_security_group" "s" {\n  name = "sg-web"\n}\n', "fires", ["aws_security_group.s"],
     "must not start with 'sg-'"),
    ("template-literal-uppercase", 'resource "aws_s3_bucket" "b" {\n  bucket = "Logs-${var.suffix}"\n}\n', "fires",
     ["aws_s3_bucket.b"], "uppercase"),
    ("resolved-default-too-long",
     'variable "project" {\n  default = "enterprise-analytics-platform"\n}\n'
     'resource "aws_iam_role" "r" {\n  name = "${var.project}-lambda-execution-role-for-ingest-jobs-${var.suffix}"\n}\n',
     "fires", ["aws_iam_role.r"], "at least 68 characters"),
    ("rds-uppercase-via-local", 'locals {\n  id = "Orders"\n}\nresource "aws_db_instance" "d" {\n'
     '  identifier = "${local.id}-db"\n}\n', "fires", ["aws_db_instance.d"], "uppercase"),
    # The pipeline passes a suffix like "synth101912382" (14 characters): 17 + 14 + 4 = 35 > 32.
    ("suffix-overflows", 'variable "environment_suffix" {\n  default = "dev"\n}\n'
     'resource "aws_lb" "l" {\n  name = "event-management-${var.environment_suffix}-alb"\n}\n', "fires", ["aws_lb.l"],
     "about 35 characters"),
    ("suffix-fits", 'resource "aws_lb" "l" {\n  name = "evt-${var.environment_suffix}-alb"\n}\n', "clear", [], None),
    ("valid", 'resource "aws_s3_bucket" "b" {\n  bucket = "app-logs-2024"\n}\n'
     'resource "aws_lb_target_group" "t" {\n  name = "web-tg"\n}\n', "clear", [], None),
    ("template-unknown-parts", 'resource "aws_s3_bucket" "b" {\n  bucket = "${var.project}-logs-${var.suffix}"\n}\n',
     "clear", [], None),
    # lower() makes the result lowercase whatever goes in: not checked.
    ("function-call", 'resource "aws_s3_bucket" "b" {\n  bucket = lower("My-Bucket")\n}\n', "clear", [], None),
    # An empty suffix default says nothing about the deployed name (the pipeline passes one).
    ("empty-default", 'variable "suffix" {\n  default = ""\n}\nresource "aws_db_instance" "d" {\n'
     '  identifier = "orders-${var.suffix}-db"\n}\n', "clear", [], None),
    ("nested-conditional-suffix",
     'resource "aws_sqs_queue" "q" {\n  name = "orders${var.s != "" ? "-${var.s}" : ""}"\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_naming_rule_violation(hcl, status, addresses, fragment):
    check(run("naming_rule_violation", hcl), status, addresses, fragment)


@pytest.mark.parametrize("body,parts", [
    ("a-${var.x}-b", ["a-", "var.x", "-b"]),
    ('x${var.s != "" ? "-${var.s}" : ""}', ["x", 'var.s != "" ? "-${var.s}" : ""', ""]),
    ("$${literal}", ["${literal}"]),
])
def test_split_template(body, parts):
    assert split_template(body) == parts


def test_broken_answer_is_unknown():
    check(run("naming_rule_violation", 'resource "aws_s3_bucket" "b" {\n  bucket = = "x"\n}\n'), "unknown")
