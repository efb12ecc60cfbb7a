import pytest

from tests.catalog._cases import check, run


def instance(cls: str, flag: str = "true", rtype: str = "aws_db_instance") -> str:
    return f'resource "{rtype}" "db" {{\n  instance_class               = {cls}\n  performance_insights_enabled = {flag}\n}}\n'


VAR = 'variable "cls" {\n  default = "db.r6g.large"\n}\n'

CASES = [
    ("t3-micro", instance('"db.t3.micro"'), "fires", ["aws_db_instance.db"], 'instance_class "db.t3.micro"'),
    ("t2-any", instance('"db.t2.medium"', rtype="aws_rds_cluster_instance"), "fires",
     ["aws_rds_cluster_instance.db"], None),
    ("t4g-small", instance('"db.t4g.small"'), "fires", ["aws_db_instance.db"], None),
    # The class counts through its variable's default: a supported default is no finding.
    ("class-from-variable-supported", VAR + instance("var.cls"), "clear", [], None),
    ("class-from-variable-unsupported", VAR.replace("db.r6g.large", "db.t3.micro") + instance("var.cls"), "fires",
     ["aws_db_instance.db"], '"db.t3.micro" (via var.cls)'),
    ("class-from-variable-without-default", 'variable "cls" {}\n' + instance("var.cls"), "unknown", [],
     "var.cls has no default"),
    # PostgreSQL supports Performance Insights on the small burstable classes.
    ("postgres-t3-micro", instance('"db.t3.micro"').replace("{\n", '{\n  engine = "postgres"\n', 1), "clear", [],
     None),
    ("class-from-expression", instance('var.big ? "db.r6g.large" : "db.t3.micro"') + 'variable "big" {}\n', "fires",
     ["aws_db_instance.db"], None),
    ("supported-literal", instance('"db.r6g.large"'), "clear", [], None),
    ("t3-medium-supported", instance('"db.t3.medium"'), "clear", [], None),
    ("flag-is-variable", VAR + instance("var.cls", "var.pi") + 'variable "pi" {\n  default = true\n}\n',
     "clear", [], None),
    ("flag-variable-on-unsupported-class", instance('"db.t3.small"', "var.pi") + 'variable "pi" {\n  default = true\n}\n',
     "fires", ["aws_db_instance.db"], None),
    ("flag-conditional", VAR + instance("var.cls", 'var.cls != "db.t3.micro"'), "clear", [], None),
    ("flag-false", instance('"db.t3.micro"', "false"), "clear", [], None),
    ("local-constant-supported", 'locals {\n  cls = "db.m6g.large"\n}\n' + instance("local.cls"), "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_performance_insights_unsupported(hcl, status, addresses, fragment):
    check(run("performance_insights_unsupported", hcl), status, addresses, fragment)


def test_evidence_is_the_flag_line():
    (f,) = run("performance_insights_unsupported", instance('"db.t3.small"')).findings
    assert (f.line, f.evidence.strip()) == (3, "performance_insights_enabled = true")
