import pytest

from tests.catalog._cases import check, run

CASES = [
    ("unknown-argument", 'resource "aws_s3_bucket" "b" {\n  bucket_name = "b"\n}\n', "fires", ["aws_s3_bucket.b"],
     "`bucket_name` is not an argument of aws_s3_bucket; did you mean `bucket`?"),
    ("nested-argument", 'resource "aws_security_group" "s" {\n  ingress {\n    from_port  = 443\n    to_port = 443\n'
     '    protocol = "tcp"\n    cidr_block = ["10.0.0.0/8"]\n  }\n}\n', "fires", ["aws_security_group.s"],
     "`ingress.cidr_block`"),
    ("unknown-block", 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "r"\n'
     '  vpc_configuration {\n    subnet_ids = []\n  }\n}\n', "fires", ["aws_lambda_function.f"], "did you mean `vpc_config`?"),
    ("computed-only", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  arn  = "x"\n}\n', "fires", ["aws_sqs_queue.q"],
     "computed by the provider"),
    ("block-assigned", 'resource "aws_lb_listener" "l" {\n  load_balancer_arn = "x"\n'
     '  default_action = [{ type = "forward" }]\n}\n', "fires", ["aws_lb_listener.l"], "is a block, not an argument"),
    ("argument-as-block", 'resource "aws_s3_bucket" "b" {\n  tags {\n    Name = "b"\n  }\n}\n', "fires",
     ["aws_s3_bucket.b"], "is an argument, not a block"),
    ("no-timeouts-block", 'resource "aws_iam_role" "r" {\n  assume_role_policy = "{}"\n  timeouts {\n'
     '    create = "5m"\n  }\n}\n', "fires", ["aws_iam_role.r"], "`timeouts` is not a block type"),
    ("dynamic-content", 'resource "aws_security_group" "s" {\n  dynamic "ingress" {\n    for_each = var.ports\n'
     '    content {\n      port = ingress.value\n    }\n  }\n}\n', "fires", ["aws_security_group.s"], "`ingress.port`"),
    ("provider-block", 'provider "aws" {\n  region = "us-east-1"\n  default_tag {\n    tags = {}\n  }\n}\n',
     "fires", ["provider.aws"], "did you mean `default_tags`?"),
    ("literal-object-field", 'resource "aws_security_group" "s" {\n  egress = [{\n    from_port = 0\n'
     '    to_port = 0\n    protocol = "-1"\n    cidr_block = ["0.0.0.0/0"]\n  }]\n}\n', "fires",
     ["aws_security_group.s"], "no field `cidr_block`"),
    # Terraform's meta-arguments, timeouts where the type has them, attributes written as blocks, dynamic blocks.
    ("meta-arguments", 'resource "aws_instance" "i" {\n  count = 2\n  ami = "ami-1"\n  instance_type = "t3.micro"\n'
     '  provider = aws.west\n  depends_on = [aws_s3_bucket.b]\n  lifecycle {\n    create_before_destroy = true\n  }\n'
     '  provisioner "local-exec" {\n    command = "echo"\n  }\n  connection {\n    host = self.public_ip\n  }\n'
     '  timeouts {\n    create = "10m"\n  }\n}\n', "clear", [], None),
    ("attributes-as-blocks", 'resource "aws_security_group" "s" {\n  name = "s"\n  ingress {\n    from_port = 443\n'
     '    to_port = 443\n    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n', "clear", [], None),
    ("dynamic-ok", 'resource "aws_security_group" "s" {\n  dynamic "ingress" {\n    for_each = var.ports\n'
     '    iterator = p\n    content {\n      from_port = p.value\n      to_port = p.value\n      protocol = "tcp"\n'
     '    }\n  }\n}\n', "clear", [], None),
    ("data-source-args", 'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = ["s3:GetObject"]\n'
     '    resources = ["*"]\n    principals {\n      type = "AWS"\n      identifiers = ["*"]\n    }\n  }\n}\n',
     "clear", [], None),
    ("provider-alias", 'provider "aws" {\n  alias = "west"\n  region = "us-west-2"\n  default_tags {\n'
     '    tags = { Env = "dev" }\n  }\n}\n', "clear", [], None),
    ("other-provider", 'resource "random_password" "p" {\n  length = 16\n  whatever = true\n}\n', "clear", [], None),
    # Terraform's own file schema: a .tf file holds only blocks of the known types at its top level.
    ("top-level-argument", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\nenvironment = "prod"\n', "fires",
     ["environment"], "outside any block"),
    ("top-level-unknown-block", 'resource "aws_sqs_queue" "q" {}\nresources "aws_sqs_queue" "r" {}\n', "fires",
     ["resources.aws_sqs_queue.r"], "did you mean `resource`?"),
    ("heredoc-at-column-0", 'resource "aws_instance" "i" {\n  ami = "a"\n  instance_type = "t3.micro"\n'
     '  user_data = <<EOF\nFOO=bar\nEOF\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_unsupported_argument(hcl, status, addresses, fragment):
    check(run("unsupported_argument", hcl), status, addresses, fragment)


def test_broken_answer_is_unknown():
    check(run("unsupported_argument", 'resource "aws_s3_bucket" "b" {\n  bucket = = "b"\n}\n'), "unknown")


def test_a_later_revision_of_the_file_replaces_the_block():
    from tests.catalog._cases import answer, run_md

    wrong = 'resource "aws_db_instance" "d" {\n  name = "app"\n  instance_class = "db.t3.micro"\n}\n'
    fixed = 'resource "aws_db_instance" "d" {\n  db_name = "app"\n  instance_class = "db.t3.micro"\n}\n'
    check(run_md("unsupported_argument", answer([("rds.tf", wrong), ("rds.tf", fixed)])), "clear")
    check(run_md("unsupported_argument", answer([("rds.tf", fixed), ("rds.tf", wrong)])), "fires",
          ["aws_db_instance.d"], "`name`")
    # An unnamed excerpt quoting a named file's block is not judged apart from it.
    check(run_md("unsupported_argument", answer([("rds.tf", fixed), (None, wrong)])), "clear")


MODULE_FILES = [("modules/net/variables.tf", 'variable "cidr" {\n  type = string\n}\nvariable "name" {\n'
                 '  type = string\n  default = "net"\n}\n'),
                ("modules/net/main.tf", 'resource "aws_vpc" "v" {\n  cidr_block = var.cidr\n}\n')]


@pytest.mark.parametrize("call,status,fragment", [
    ('module "net" {\n  source = "./modules/net"\n  cidr = "10.0.0.0/16"\n  nmae = "x"\n}\n', "fires",
     "`nmae` is not a variable of the module in modules/net; did you mean `name`?"),
    ('module "net" {\n  source = "./modules/net"\n  cidr = "10.0.0.0/16"\n  count = 1\n}\n', "clear", None),
    # The module's folder is not in the answer: its variables are unknown.
    ('module "net" {\n  source = "./modules/other"\n  anything = 1\n}\n', "clear", None),
])
def test_local_module_call_arguments(call, status, fragment):
    from tests.catalog._cases import answer, run_md

    check(run_md("unsupported_argument", answer([*MODULE_FILES, ("main.tf", call)])), status, None, fragment)
