import pytest

from tests.catalog._cases import check, run

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
     'variable "protect" {\n  default = false\n}\nresource "aws_rds_cluster" "c" {\n  deletion_protection = var.protect\n'
     '  skip_final_snapshot = true\n}\n',
     "clear", [], None),
    ("prevent-destroy-false", 'resource "aws_s3_bucket" "b" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n',
     "clear", [], None),
    # skip_final_snapshot defaults to false: left out, destroy needs a final snapshot name.
    ("not-set", 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n', "fires", ["aws_db_instance.db"],
     "skip_final_snapshot is not set (defaults to false)"),
    ("not-set-on-a-table", 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n}\n', "clear", [], None),
    ("variable-without-default",
     'variable "protect" {\n  type = bool\n}\nresource "aws_rds_cluster" "c" {\n  deletion_protection = var.protect\n'
     '  skip_final_snapshot = true\n}\n',
     "unknown", [], "var.protect has no default"),
    # Protected in production only is protected: the answer produces it.
    ("comparison-false-by-default", 'resource "aws_rds_cluster" "c" {\n  deletion_protection = var.env == "prod"\n'
     '  skip_final_snapshot = true\n}\nvariable "env" {\n  default = "dev"\n}\n', "fires", ["aws_rds_cluster.c"],
     "deletion_protection = true (via var.env =="),
    ("conditional-true-by-default",
     'resource "aws_lb" "a" {\n  enable_deletion_protection = var.env == "prod" ? true : false\n}\n'
     'variable "env" {\n  default = "prod"\n}\n', "fires", ["aws_lb.a"], "(via var.env =="),
    ("negated-flag", 'resource "aws_db_instance" "d" {\n  skip_final_snapshot = !var.keep\n}\n'
     'variable "keep" {\n  default = true\n}\n', "fires", ["aws_db_instance.d"], "skip_final_snapshot = false"),
    ("conditional-on-variable-without-default",
     'resource "aws_rds_cluster" "c" {\n  deletion_protection = var.env == "prod" ? true : false\n'
     '  skip_final_snapshot = true\n}\nvariable "env" {}\n', "fires", ["aws_rds_cluster.c"], "deletion_protection"),
    ("conditional-of-variables", 'resource "aws_lb" "a" {\n  enable_deletion_protection = var.p ? var.a : var.b\n}\n'
     'variable "p" {}\nvariable "a" {}\nvariable "b" {}\n', "unknown", [], None),
    ("function-call", 'resource "aws_rds_cluster" "c" {\n  deletion_protection = contains(var.prod_envs, "x")\n'
     '  skip_final_snapshot = true\n}\nvariable "prod_envs" {\n  default = []\n}\n', "unknown", [],
     "is an expression"),
    ("trail-bucket-without-force-destroy", 'resource "aws_s3_bucket" "trail" {\n  bucket = "t"\n}\n'
     'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = aws_s3_bucket.trail.id\n}\n', "fires",
     ["aws_s3_bucket.trail"], "no force_destroy = true, but CloudTrail put objects in it"),
    ("alb-log-bucket-by-name", 'resource "aws_s3_bucket" "logs" {\n  bucket = "alb-logs"\n  force_destroy = false\n}\n'
     'resource "aws_lb" "a" {\n  access_logs {\n    bucket  = "alb-logs"\n    enabled = true\n  }\n}\n', "fires",
     ["aws_s3_bucket.logs"], "load balancer access logs"),
    ("log-bucket-with-force-destroy", 'resource "aws_s3_bucket" "trail" {\n  bucket = "t"\n  force_destroy = true\n}\n'
     'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = aws_s3_bucket.trail.id\n}\n', "clear", [],
     None),
    ("flow-logs-to-cloudwatch", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\nresource "aws_flow_log" "f" {\n'
     '  log_destination_type = "cloud-watch-logs"\n  log_destination = aws_s3_bucket.b.arn\n}\n', "clear", [], None),
    # Terraform removes the objects it uploads first; an unversioned bucket is then empty.
    ("uploaded-object-unversioned", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
     'resource "aws_s3_object" "o" {\n  bucket = aws_s3_bucket.b.id\n  key = "k"\n}\n', "clear", [], None),
    ("uploaded-object-versioned", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
     'resource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n'
     '    status = "Enabled"\n  }\n}\nresource "aws_s3_object" "o" {\n  bucket = aws_s3_bucket.b.id\n  key = "k"\n}\n',
     "fires", ["aws_s3_bucket.b"], "uploaded objects"),
    ("force-destroy-from-variable", 'resource "aws_s3_bucket" "trail" {\n  bucket = "t"\n  force_destroy = var.fd\n}\n'
     'variable "fd" {}\nresource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = aws_s3_bucket.trail.id\n}\n',
     "unknown", [], "var.fd has no default"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deletion_protection_enabled(hcl, status, addresses, fragment):
    check(run("deletion_protection_enabled", hcl), status, addresses, fragment)


def test_one_finding_per_blocking_setting():
    hcl = 'resource "aws_db_instance" "db" {\n  deletion_protection = true\n  skip_final_snapshot = false\n}\n'
    out = run("deletion_protection_enabled", hcl)
    assert [(f.line, f.evidence.strip()) for f in out.findings] == [
        (2, "deletion_protection = true"), (3, "skip_final_snapshot = false")]
