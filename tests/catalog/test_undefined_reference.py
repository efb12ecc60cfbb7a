import pytest

from tests.catalog._cases import answer, check, run, run_md

DECLARED = '''
variable "env" {
  type = string
}
locals {
  prefix = "app-${var.env}"
}
resource "aws_s3_bucket" "logs" {
  bucket = "${local.prefix}-logs"
}
data "aws_caller_identity" "me" {}
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
'''

CASES = [
    ("missing-resource", 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = aws_s3_bucket.gone.id\n}\n',
     "fires", ["aws_s3_bucket.gone"], "aws_s3_bucket.gone is referenced but never declared"),
    ("missing-variable", 'resource "aws_sqs_queue" "q" {\n  name = "q-${var.suffix}"\n}\n',
     "fires", ["var.suffix"], None),
    ("missing-local-and-data",
     'output "o" {\n  value = "${local.nope}-${data.aws_region.here.name}"\n}\n',
     "fires", ["local.nope", "data.aws_region.here"], None),
    ("missing-module", 'output "ids" {\n  value = module.network.subnet_ids\n}\n', "fires", ["module.network"], None),
    # A local folder the answer never shows declares no output at all.
    ("output-of-an-unshown-local-module", 'module "network" {\n  source = "./modules/network"\n}\n'
     'output "ids" {\n  value = module.network.subnet_ids\n}\n', "fires", ["module.network.subnet_ids"],
     "is not an output of the local module module.network"),
    ("one-finding-per-address",
     'resource "aws_sqs_queue" "a" {\n  name = var.n\n}\nresource "aws_sqs_queue" "b" {\n  name = var.n\n}\n',
     "fires", ["var.n"], None),
    ("all-declared", DECLARED + 'output "o" {\n  value = [aws_s3_bucket.logs.arn, data.aws_caller_identity.me.id,'
     ' module.vpc.id, local.prefix]\n}\n', "clear", [], None),
    ("special-roots",
     'resource "aws_sqs_queue" "q" {\n  count = 2\n  name  = "q-${count.index}-${path.module}-${terraform.workspace}"\n}\n',
     "clear", [], None),
    ("for-and-dynamic-iterators", '''
variable "rules" {
  type = list(object({ port = number }))
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port = ingress.value.port
      to_port   = ingress.value.port
      protocol  = "tcp"
    }
  }
  tags = { for r in var.rules : "p${r.port}" => r.port }
}
''', "clear", [], None),
    ("provider-alias-and-ignore-changes", '''
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
resource "aws_sqs_queue" "q" {
  provider = aws.west
  name     = "q"
  lifecycle {
    ignore_changes = [tags.Owner]
  }
}
''', "clear", [], None),
    # `${VERSION}` in a heredoc is interpolated by Terraform; `$${VERSION}` reaches the script.
    ("shell-variable-in-a-heredoc", 'resource "aws_codebuild_project" "p" {\n  name = "p"\n  description = <<EOT\n'
     'echo ${TF_VERSION} and $${ESCAPED}\nEOT\n}\n', "fires", ["TF_VERSION"],
     "TF_VERSION is interpolated by Terraform but no such name exists"),
    ("provider-as-a-value", 'locals {\n  regions = { east = aws.east }\n}\n', "fires", ["aws.east"],
     "aws.east names a provider configuration, which is not a value"),
    ("template-iterator", 'resource "aws_ssm_parameter" "p" {\n  name  = "p"\n  type  = "String"\n'
     '  value = "%{ for ip in var.ips }${ip.address}%{ endfor }"\n}\nvariable "ips" {}\n', "clear", [], None),
    ("moved-block-old-address", '''
resource "aws_sqs_queue" "new" {
  name = "q"
}
moved {
  from = aws_sqs_queue.old
  to   = aws_sqs_queue.new
}
''', "clear", [], None),
    # Part of the answer did not parse: a reference to something declared in the broken part is
    # undecidable, one to something declared nowhere still fires.
    ("declared-in-broken-part", '''
resource "aws_s3_bucket" "a" {
  bucket = "a-${aws_kms_key.k.key_id}"
}
resource "aws_kms_key" "k" {
  description = "broken" "twice"
}
''', "unknown", [], "did not parse"),
    ("undeclared-despite-broken-part", '''
resource "aws_s3_bucket" "a" {
  bucket = "a-${aws_kms_key.other.key_id}"
}
resource "aws_kms_key" "k" {
  description = "broken" "twice"
}
''', "fires", ["aws_kms_key.other"], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_undefined_reference(hcl, status, addresses, fragment):
    check(run("undefined_reference", hcl), status, addresses, fragment)


def test_first_use_is_the_evidence_line():
    hcl = 'resource "aws_sqs_queue" "a" {\n  name = "a"\n  tags = { T = var.t }\n}\noutput "o" {\n  value = var.t\n}\n'
    (f,) = run("undefined_reference", hcl).findings
    assert (f.line, f.kind, f.evidence.strip()) == (3, "variable", "tags = { T = var.t }")


def test_an_output_the_local_module_does_not_declare():
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_answer

    answer = ("## main.tf\n\n```hcl\nmodule \"net\" {\n  source = \"./modules/net\"\n}\n"
              "output \"a\" {\n  value = module.net.vpc_id\n}\noutput \"b\" {\n  value = module.net.subnet_ids\n}\n```\n\n"
              "## modules/net/outputs.tf\n\n```hcl\noutput \"vpc_id\" {\n  value = \"v\"\n}\n```\n")
    out = run_detector(registry()["undefined_reference"], parse_answer(answer, cache=False))
    assert [(f.address, f.holder) for f in out.findings] == [("module.net.subnet_ids", "output.b")]
    assert "is not an output of the local module module.net" in out.findings[0].message


# A cut-off answer: what it uses but never declared may be declared after the cut, unless the use sits in a
# module folder the answer had already finished.
_ROOT_USE = 'resource "aws_sns_topic_subscription" "s" {\n  topic_arn = aws_sns_topic.alerts.arn\n}\n'
_MODULE_USE = 'resource "aws_eip" "nat" {\n  count = var.enable_nat ? 1 : 0\n}\n'
_CUT = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n'


@pytest.mark.parametrize("files,status,addresses", [
    # Cut in the folder that uses the name: the topic may follow.
    ({"main.tf": _ROOT_USE + _CUT}, "cannot_tell", []),
    # Cut in another module's folder: modules/net was finished without declaring var.enable_nat.
    ({"main.tf": "", "modules/net/main.tf": _MODULE_USE, "modules/db/main.tf": _CUT}, "fires", ["var.enable_nat"]),
    # The same use, but the cut is in modules/net itself.
    ({"main.tf": "", "modules/net/main.tf": _MODULE_USE + _CUT}, "cannot_tell", []),
], ids=["cut-in-the-same-folder", "cut-in-a-later-folder", "cut-in-the-module-itself"])
def test_an_undeclared_name_in_a_cut_off_answer(files, status, addresses):
    outcome = run_md("undefined_reference", answer(files, tail=""))
    check(outcome, "unknown" if status == "cannot_tell" else status, addresses,
          "never declared before the answer is cut off" if status == "cannot_tell" else None)
