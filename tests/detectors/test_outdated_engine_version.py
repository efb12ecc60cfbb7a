import pytest

from drdata.detectors.reference.outdated_engine_version import engine_versions, older_than_ideal, version_key
from drdata.hcl import parse_hcl
from tests.detectors._ref import check, run

# The table (data/reference_engine_versions.json, as_of 2025-06) knows newer minors than every
# version that fires below: e.g. aurora-postgresql 15.x had 15.10 by then, postgres 16.x had 16.8.
CASES = [
    ("aurora-postgresql-old-minor", 'resource "aws_rds_cluster" "c" {\n  engine         = "aurora-postgresql"\n'
     '  engine_version = "15.2"\n}\n', "fires", ["aws_rds_cluster.c"], 'aurora-postgresql engine_version "15.2"'),
    ("postgres-instance", 'resource "aws_db_instance" "db" {\n  engine         = "postgres"\n  engine_version = "16.1"\n}\n',
     "fires", ["aws_db_instance.db"], None),
    ("mysql-via-variable-default", 'variable "v" {\n  default = "8.0.28"\n}\nresource "aws_db_instance" "db" {\n'
     '  engine         = "mysql"\n  engine_version = var.v\n}\n', "fires", ["aws_db_instance.db"], "(via var.v)"),
    ("aurora-mysql", 'resource "aws_rds_cluster" "c" {\n  engine         = "aurora-mysql"\n'
     '  engine_version = "8.0.mysql_aurora.3.02.0"\n}\n', "fires", ["aws_rds_cluster.c"], None),
    ("redis", 'resource "aws_elasticache_replication_group" "r" {\n  engine         = "redis"\n  engine_version = "6.0"\n}\n',
     "fires", ["aws_elasticache_replication_group.r"], None),
    ("global-cluster-copied-by-members", '''
resource "aws_rds_global_cluster" "g" {
  engine         = "aurora-postgresql"
  engine_version = "14.3"
}
resource "aws_rds_cluster" "member" {
  engine         = aws_rds_global_cluster.g.engine
  engine_version = aws_rds_global_cluster.g.engine_version
}
''', "fires", ["aws_rds_global_cluster.g"], None),
    ("major-only", 'resource "aws_db_instance" "db" {\n  engine         = "postgres"\n  engine_version = "16"\n}\n',
     "clear", [], None),
    ("newer-than-table", 'resource "aws_db_instance" "db" {\n  engine         = "postgres"\n  engine_version = "16.30"\n}\n',
     "clear", [], None),
    ("unknown-major", 'resource "aws_db_instance" "db" {\n  engine         = "postgres"\n  engine_version = "42.1"\n}\n',
     "clear", [], None),
    ("no-version", 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n', "clear", [], None),
    ("variable-without-default", 'variable "v" {}\nresource "aws_db_instance" "db" {\n  engine         = "postgres"\n'
     '  engine_version = var.v\n}\n', "unknown", [], "var.v has no default"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_outdated_engine_version(hcl, status, addresses, fragment):
    check(run("outdated_engine_version", hcl), status, addresses, fragment)


@pytest.mark.parametrize("version,key", [
    ("15.4", (15, 4)),
    ("8.0.mysql_aurora.3.04.0", (3, 4, 0)),
    ("10.11.6", (10, 11, 6)),
])
def test_version_key(version, key):
    assert version_key(version) == key


def test_engine_versions_follow_references():
    cfg = parse_hcl('''
resource "aws_rds_global_cluster" "g" {
  engine_version = "15.2"
}
resource "aws_rds_cluster" "c" {
  engine_version = aws_rds_global_cluster.g.engine_version
}
''')
    assert engine_versions(cfg) == {"aws_rds_global_cluster.g": "15.2", "aws_rds_cluster.c": "15.2"}


def test_pair_rule_model_older_than_ideal():
    model = parse_hcl('resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n  engine_version = "15.2"\n}\n')
    ideal = parse_hcl('resource "aws_rds_cluster" "c" {\n  engine = "aurora-postgresql"\n  engine_version = "15.4"\n}\n')
    (f,) = older_than_ideal(model, ideal)
    assert (f.address, f.line, f.category) == ("aws_rds_cluster.c", 3, "outdated_engine_version")
    assert older_than_ideal(ideal, model) == []
