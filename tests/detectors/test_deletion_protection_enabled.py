import pytest

from tests.detectors._ref import check, run

CASES = [
    ("rds-literal", 'resource "aws_rds_cluster" "c" {\n  deletion_protection = true\n}\n',
     "fires", ["aws_rds_cluster.c"], "deletion_protection = true"),
    ("alb", 'resource "aws_lb" "web" {\n  enable_deletion_protection = true\n}\n',
     "fires", ["aws_lb.web"], "enable_deletion_protection = true"),
    ("dynamodb-style", 'resource "aws_dynamodb_table" "t" {\n  deletion_protection_enabled = true\n}\n',
     "fires", ["aws_dynamodb_table.t"], None),
    ("final-snapshot-required", 'resource "aws_db_instance" "db" {\n  skip_final_snapshot = false\n}\n',
     "fires", ["aws_db_instance.db"], "skip_final_snapshot = false"),
    ("prevent-destroy", 'resource "aws_s3_bucket" "b" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n',
     "fires", ["aws_s3_bucket.b"], "prevent_destroy = true"),
    ("variable-default-true",
     'variable "protect" {\n  type    = bool\n  default = true\n}\n'
     'resource "aws_db_instance" "db" {\n  deletion_protection = var.protect\n}\n',
     "fires", ["aws_db_instance.db"], "(via var.protect)"),
    ("all-off", 'resource "aws_db_instance" "db" {\n  deletion_protection = false\n  skip_final_snapshot = true\n}\n'
     'resource "aws_lb" "web" {\n  enable_deletion_protection = false\n}\n', "clear", [], None),
    ("variable-default-false",
     'variable "protect" {\n  default = false\n}\nresource "aws_rds_cluster" "c" {\n  deletion_protection = var.protect\n}\n',
     "clear", [], None),
    ("prevent-destroy-false", 'resource "aws_s3_bucket" "b" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n',
     "clear", [], None),
    ("not-set", 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n', "clear", [], None),
    ("variable-without-default",
     'variable "protect" {\n  type = bool\n}\nresource "aws_rds_cluster" "c" {\n  deletion_protection = var.protect\n}\n',
     "unknown", [], "var.protect has no default"),
    ("comparison-false-by-default", 'resource "aws_rds_cluster" "c" {\n  deletion_protection = var.env == "prod"\n}\n'
     'variable "env" {\n  default = "dev"\n}\n', "clear", [], None),
    ("conditional-true-by-default",
     'resource "aws_lb" "a" {\n  enable_deletion_protection = var.env == "prod" ? true : false\n}\n'
     'variable "env" {\n  default = "prod"\n}\n', "fires", ["aws_lb.a"], "(via var.env =="),
    ("negated-flag", 'resource "aws_db_instance" "d" {\n  skip_final_snapshot = !var.keep\n}\n'
     'variable "keep" {\n  default = true\n}\n', "fires", ["aws_db_instance.d"], "skip_final_snapshot = false"),
    ("conditional-on-variable-without-default",
     'resource "aws_rds_cluster" "c" {\n  deletion_protection = var.env == "prod" ? true : false\n}\nvariable "env" {}\n',
     "unknown", [], "var.env has no default"),
    ("function-call", 'resource "aws_rds_cluster" "c" {\n  deletion_protection = contains(var.prod_envs, "x")\n}\n'
     'variable "prod_envs" {\n  default = []\n}\n', "unknown", [], "is an expression"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deletion_protection_enabled(hcl, status, addresses, fragment):
    check(run("deletion_protection_enabled", hcl), status, addresses, fragment)


def test_one_finding_per_blocking_setting():
    hcl = 'resource "aws_db_instance" "db" {\n  deletion_protection = true\n  skip_final_snapshot = false\n}\n'
    out = run("deletion_protection_enabled", hcl)
    assert [(f.line, f.evidence.strip()) for f in out.findings] == [
        (2, "deletion_protection = true"), (3, "skip_final_snapshot = false")]
