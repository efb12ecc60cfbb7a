import pytest

from tests.catalog._cases import check, run

CASES = [
    ("missing-argument", 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n', "fires", ["aws_iam_role.r"],
     "required argument `assume_role_policy` is missing"),
    ("missing-block", 'resource "aws_lb_listener" "l" {\n  load_balancer_arn = "x"\n}\n', "fires", ["aws_lb_listener.l"],
     "a `default_action` block is required"),
    ("missing-nested-argument", 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n'
     '  versioning_configuration {\n  }\n}\n', "fires", ["aws_s3_bucket_versioning.v"],
     "`versioning_configuration.status`"),
    ("data-source", 'data "aws_iam_role" "r" {}\n', "fires", ["data.aws_iam_role.r"], "`name`"),
    ("object-list-incomplete", 'resource "aws_security_group" "s" {\n  ingress = [{\n    from_port = 443\n'
     '    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }]\n}\n', "fires",
     ["aws_security_group.s"], "must give every field"),
    ("all-given", 'resource "aws_iam_role" "r" {\n  assume_role_policy = var.policy\n}\n', "clear", [], None),
    ("block-from-literal-dynamic", 'resource "aws_lb_listener" "l" {\n  load_balancer_arn = "x"\n'
     '  dynamic "default_action" {\n    for_each = ["a"]\n    content {\n      type = "forward"\n    }\n  }\n}\n',
     "clear", [], None),
    ("block-from-var-dynamic", 'resource "aws_lb_listener" "l" {\n  load_balancer_arn = "x"\n'
     '  dynamic "default_action" {\n    for_each = var.actions\n    content {\n      type = "forward"\n    }\n  }\n}\n',
     "clear", [], None),
    ("other-provider", 'resource "random_password" "p" {}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_required_argument(hcl, status, addresses, fragment):
    check(run("missing_required_argument", hcl), status, addresses, fragment)


def test_block_cut_by_a_parse_error_cannot_tell():
    hcl = 'resource "aws_iam_role" "r" {\n  name = "r"\n  tags = {\n    a = = 1\n  }\n}\n'
    check(run("missing_required_argument", hcl), "unknown")


def test_local_module_variable_without_default_must_be_passed():
    from tests.catalog._cases import answer, run_md

    files = [("modules/net/variables.tf", 'variable "cidr" {\n  type = string\n}\nvariable "name" {\n'
              '  type = string\n  default = "net"\n}\n'),
             ("main.tf", 'module "net" {\n  source = "./modules/net"\n}\n')]
    check(run_md("missing_required_argument", answer(files)), "fires", ["module.net"], "required variable `cidr`")
