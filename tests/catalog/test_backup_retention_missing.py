import pytest

from tests.catalog._cases import check, run

PITR = '  point_in_time_recovery {\n    enabled = true\n  }\n'

CASES = [
    ("rds-zero", 'resource "aws_db_instance" "d" {\n  engine = "postgres"\n  backup_retention_period = 0\n}\n', "fires",
     ["aws_db_instance.d"], "= 0 disables"),
    ("rds-absent", 'resource "aws_db_instance" "d" {\n  engine = "postgres"\n}\n', "fires", ["aws_db_instance.d"],
     "not set"),
    ("cluster-absent", 'resource "aws_rds_cluster" "c" {\n  engine = "aurora-mysql"\n  master_username = "admin"\n}\n',
     "fires", ["aws_rds_cluster.c"], "not set"),
    ("zero-via-variable", 'variable "days" {\n  default = 0\n}\nresource "aws_db_instance" "d" {\n'
     '  backup_retention_period = var.days\n}\n', "fires", ["aws_db_instance.d"], "= 0"),
    ("dynamodb-no-pitr", 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  hash_key = "id"\n}\n', "fires",
     ["aws_dynamodb_table.t"], "no point_in_time_recovery"),
    ("dynamodb-pitr-off", 'resource "aws_dynamodb_table" "t" {\n  name = "t"\n  point_in_time_recovery {\n'
     '    enabled = false\n  }\n}\n', "fires", ["aws_dynamodb_table.t"], "enabled = False"),
    ("backup-rule-no-lifecycle", 'resource "aws_backup_plan" "p" {\n  name = "p"\n  rule {\n    rule_name = "daily"\n'
     '    target_vault_name = "v"\n    schedule = "cron(0 5 * * ? *)"\n  }\n}\n', "fires", ["aws_backup_plan.p"],
     '"daily" has no lifecycle'),
    ("all-set", 'resource "aws_db_instance" "d" {\n  backup_retention_period = 7\n}\n'
     'resource "aws_dynamodb_table" "t" {\n  name = "t"\n' + PITR + '}\n'
     'resource "aws_backup_plan" "p" {\n  rule {\n    rule_name = "r"\n    lifecycle {\n      delete_after = 35\n'
     '    }\n  }\n}\n', "clear", [], None),
    # A read replica takes its backups from the source.
    ("replica", 'resource "aws_db_instance" "r" {\n  replicate_source_db = aws_db_instance.d.identifier\n}\n'
     'resource "aws_db_instance" "d" {\n  backup_retention_period = 7\n}\n', "clear", [], None),
    # Secondary cluster of a global database.
    ("global-secondary", 'resource "aws_rds_cluster" "s" {\n  global_cluster_identifier = "g"\n  engine = "aurora-postgresql"\n}\n',
     "clear", [], None),
    ("no-databases", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "clear", [], None),
    ("unresolved-variable", 'variable "days" {\n  type = number\n}\nresource "aws_db_instance" "d" {\n'
     '  backup_retention_period = var.days\n}\n', "unknown", [], "does not resolve"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_backup_retention_missing(hcl, status, addresses, fragment):
    check(run("backup_retention_missing", hcl), status, addresses, fragment)
