import pytest

from tests.catalog._cases import check, run

CASES = [
    ("ignore-all", 'resource "aws_instance" "i" {\n  ami = "x"\n  lifecycle {\n    ignore_changes = all\n  }\n}\n', "fires",
     ["aws_instance.i"], "ignore_changes = all"),
    ("ignore-ingress", 'resource "aws_security_group" "s" {\n  name_prefix = "web-"\n  lifecycle {\n'
     '    ignore_changes = [ingress, tags]\n  }\n}\n', "fires", ["aws_security_group.s"], "(ingress)"),
    ("ignore-policy", 'resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = "{}"\n  lifecycle {\n'
     '    ignore_changes = [policy]\n  }\n}\n', "fires", ["aws_s3_bucket_policy.p"], "(policy)"),
    ("cbd-fixed-name", 'resource "aws_security_group" "s" {\n  name = "web-sg"\n  lifecycle {\n'
     '    create_before_destroy = true\n  }\n}\n', "fires", ["aws_security_group.s"], "fixed name"),
    ("cbd-template-name", 'resource "aws_lb_target_group" "t" {\n  name = "${var.project}-tg"\n  lifecycle {\n'
     '    create_before_destroy = true\n  }\n}\n', "fires", ["aws_lb_target_group.t"], "fixed name"),
    ("ignore-tags", 'resource "aws_instance" "i" {\n  ami = "x"\n  lifecycle {\n    ignore_changes = [tags, ami]\n'
     '  }\n}\n', "clear", [], None),
    ("cbd-name-prefix", 'resource "aws_security_group" "s" {\n  name_prefix = "web-"\n  lifecycle {\n'
     '    create_before_destroy = true\n  }\n}\n', "clear", [], None),
    ("cbd-random-suffix", 'resource "aws_lb_target_group" "t" {\n  name = "tg-${random_id.s.hex}"\n  lifecycle {\n'
     '    create_before_destroy = true\n  }\n}\n', "clear", [], None),
    # Names of these types are not unique account-wide: replacing first is fine.
    ("cbd-non-unique-type", 'resource "aws_route" "r" {\n  route_table_id = "x"\n  lifecycle {\n'
     '    create_before_destroy = true\n  }\n}\n', "clear", [], None),
    # prevent_destroy belongs to deletion_protection_enabled.
    ("prevent-destroy", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  lifecycle {\n    prevent_destroy = true\n'
     '  }\n}\n', "clear", [], None),
    ("broken", 'resource "aws_instance" "i" {\n  ami = = "x"\n}\n', "unknown", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lifecycle_misuse(hcl, status, addresses, fragment):
    check(run("lifecycle_misuse", hcl), status, addresses, fragment)
