import pytest

from drdata.catalog.outdated_engine_version import engine_versions, older_than_ideal, version_key
from drdata.hcl import parse_hcl
from tests.catalog._cases import check, run


def db(engine: str, version: str, rtype: str = "aws_db_instance", name: str = "db") -> str:
    return f'resource "{rtype}" "{name}" {{\n  engine         = "{engine}"\n  engine_version = "{version}"\n}}\n'


# The table (data/reference_engine_versions.json, as_of 2025-06) lists majors past end of standard support
# and only the minors whose withdrawal is certain.
CASES = [
    ("aurora-postgresql-retired-minor", db("aurora-postgresql", "15.2", "aws_rds_cluster", "c"), "fires",
     ["aws_rds_cluster.c"], 'aurora-postgresql engine_version "15.2": AWS no longer offers it'),
    ("aurora-mysql-retired-minor", db("aurora-mysql", "8.0.mysql_aurora.3.02.0", "aws_rds_cluster", "c"), "fires",
     ["aws_rds_cluster.c"], None),
    ("mysql-5.7-end-of-support", db("mysql", "5.7.44"), "fires", ["aws_db_instance.db"],
     "mysql 5.7 is past its RDS end of standard support"),
    ("postgres-12-end-of-support", db("postgres", "12.22"), "fires", ["aws_db_instance.db"], None),
    ("aurora-mysql-2", db("aurora-mysql", "5.7.mysql_aurora.2.11.2", "aws_rds_cluster", "c"), "fires",
     ["aws_rds_cluster.c"], "aurora-mysql 2 is past"),
    ("via-variable-default", 'variable "v" {\n  default = "5.7.40"\n}\nresource "aws_db_instance" "db" {\n'
     '  engine         = "mysql"\n  engine_version = var.v\n}\n', "fires", ["aws_db_instance.db"], "(via var.v)"),
    ("via-module-argument", 'module "db" {\n  source = "./modules/db"\n  engine_version = "12.19"\n}\n'
     'variable "engine_version" {}\nresource "aws_db_instance" "db" {\n  engine         = "postgres"\n'
     '  engine_version = var.engine_version\n}\n', "fires", ["aws_db_instance.db"], None),
    ("global-cluster-copied-by-members", '''
resource "aws_rds_global_cluster" "g" {
  engine         = "aurora-postgresql"
  engine_version = "15.2"
}
resource "aws_rds_cluster" "member" {
  engine         = aws_rds_global_cluster.g.engine
  engine_version = aws_rds_global_cluster.g.engine_version
}
''', "fires", ["aws_rds_global_cluster.g"], None),
    # A minor that may still be offered is no finding by itself (the pair rule judges it against the IDEAL).
    ("a-minor-that-may-be-offered", db("postgres", "15.4"), "clear", [], None),
    ("aurora-mysql-lts", db("aurora-mysql", "8.0.mysql_aurora.3.04.0", "aws_rds_cluster", "c"), "clear", [], None),
    ("major-only", db("postgres", "16"), "clear", [], None),
    ("not-a-database", 'resource "aws_elasticache_replication_group" "r" {\n  engine         = "redis"\n'
     '  engine_version = "5.0.6"\n}\n', "clear", [], None),
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
  engine         = "aurora-postgresql"
  engine_version = "15.2"
}
resource "aws_rds_cluster" "c" {
  engine_version = aws_rds_global_cluster.g.engine_version
}
''')
    assert engine_versions(cfg) == {"aws_rds_global_cluster.g": ("aurora-postgresql", "15.2"),
                                    "aws_rds_cluster.c": (None, "15.2")}


@pytest.mark.parametrize("model,ideal,older", [
    (db("postgres", "15.4"), db("postgres", "15.12"), True),
    (db("postgres", "15.12"), db("postgres", "15.4"), False),
    # A step of a few minors may be a refresh of a minor still offered; an older major is not.
    (db("postgres", "14.7"), db("postgres", "14.9"), False),
    (db("postgres", "13.7"), db("postgres", "15.2"), True),
    # A major-only version lets AWS pick the newest minor: not older.
    (db("postgres", "15"), db("postgres", "15.12"), False),
    # Another engine is a rewrite, not a newer version.
    (db("mysql", "8.0.35"), db("postgres", "15.12"), False),
])
def test_pair_rule_model_older_than_ideal(model, ideal, older):
    found = older_than_ideal(parse_hcl(model), parse_hcl(ideal))
    assert bool(found) is older
    if older:
        (f,) = found
        assert (f.address, f.line, f.part) == ("aws_db_instance.db", 3, "engine_version")


def test_variables_passed_through_many_module_calls_are_followed_once(monkeypatch):
    from drdata.detectors import helpers as _util

    # Twelve modules each pass var.v on: following every call again at every level would branch 12^10 ways.
    mods = "".join(f'module "m{i}" {{\n  source = "./modules/m"\n  v = var.v\n}}\n' for i in range(12))
    hcl = mods + 'variable "v" {\n  default = "12.1"\n}\n' + db("postgres", "x").replace('"x"', "var.v")
    calls = []
    real = _util.resolve
    monkeypatch.setattr(_util, "resolve", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    from drdata.catalog import outdated_engine_version as oev

    monkeypatch.setattr(oev, "resolve", _util.resolve)
    assert run("outdated_engine_version", hcl).status == "fires"
    assert len(calls) < 100
