import pytest

from tests.catalog._cases import check, run


def lc(rule_body: str, name: str = "l") -> str:
    return (f'resource "aws_s3_bucket_lifecycle_configuration" "{name}" {{\n  bucket = "b"\n  rule {{\n'
            f'    id     = "expire"\n    status = "Enabled"\n{rule_body}    expiration {{\n      days = 30\n    }}\n  }}\n}}\n')


CASES = [
    ("no-filter", lc(""), "fires", ["aws_s3_bucket_lifecycle_configuration.l"], 'rule "expire"'),
    ("second-rule-no-filter",
     'resource "aws_s3_bucket_lifecycle_configuration" "l" {\n  bucket = "b"\n  rule {\n    id = "a"\n'
     '    status = "Enabled"\n    filter {}\n  }\n  rule {\n    id = "b"\n    status = "Enabled"\n  }\n}\n',
     "fires", ["aws_s3_bucket_lifecycle_configuration.l"], 'rule "b"'),
    ("no-id", 'resource "aws_s3_bucket_lifecycle_configuration" "l" {\n  bucket = "b"\n  rule {\n'
     '    status = "Enabled"\n  }\n}\n', "fires", None, "(no id)"),
    ("dynamic-rule", 'resource "aws_s3_bucket_lifecycle_configuration" "l" {\n  bucket = "b"\n'
     '  dynamic "rule" {\n    for_each = var.rules\n    content {\n      id = rule.key\n      status = "Enabled"\n'
     '    }\n  }\n}\n', "fires", None, "dynamic rule"),
    ("empty-filter", lc("    filter {}\n"), "clear", [], None),
    ("prefix-filter", lc('    filter {\n      prefix = "logs/"\n    }\n'), "clear", [], None),
    ("legacy-prefix", lc('    prefix = "tmp/"\n'), "clear", [], None),
    # Inline lifecycle_rule on aws_s3_bucket is deprecated_arguments' subject, not this one.
    ("inline-rule", 'resource "aws_s3_bucket" "b" {\n  lifecycle_rule {\n    enabled = true\n  }\n}\n', "clear", [], None),
    # A rule block cut off mid-way does not parse: nothing to judge.
    ("cut-off", lc("").replace("}\n}\n", "}\n"), "unknown", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_s3_lifecycle_rule_without_filter(hcl, status, addresses, fragment):
    check(run("s3_lifecycle_rule_without_filter", hcl), status, addresses, fragment)


def test_broken_answer_without_rules_is_unknown():
    check(run("s3_lifecycle_rule_without_filter", 'resource "aws_s3_bucket" "b" {\n  bucket = = "x"\n}\n'), "unknown")
