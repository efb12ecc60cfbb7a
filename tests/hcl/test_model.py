"""The HCL model from the default backend, table-driven over inline HCL."""

import pickle

import pytest

from drdata.hcl import Call, Expr, parse_hcl

DR = '''
variable "suffix" {
  type    = string
  default = "dev"
}

locals {
  name = "app-${var.suffix}"
}

resource "aws_s3_bucket" "logs" {
  bucket = local.name
  tags = merge(local.tags, {
    Name = "logs"
  })
  lifecycle {
    prevent_destroy = true
  }
}

data "aws_iam_policy_document" "read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.logs.arn}/*"]
  }
}

module "net" {
  source = "./modules/net"
}

output "bucket" {
  value     = aws_s3_bucket.logs.id
  sensitive = false
}

provider "aws" {
  alias  = "dr"
  region = "eu-west-1"
}

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
  backend "s3" {}
}
'''


@pytest.fixture(scope="module")
def cfg():
    return parse_hcl(DR, line=10)


def test_every_kind_of_block_lands_in_its_place(cfg):
    assert [r.address for r in cfg.resources] == ["aws_s3_bucket.logs"]
    assert [d.address for d in cfg.data] == ["data.aws_iam_policy_document.read"]
    assert [m.labels for m in cfg.modules] == [("net",)]
    assert [v.labels for v in cfg.variables] == [("suffix",)]
    assert list(cfg.locals) == ["name"]
    assert [o.labels for o in cfg.outputs] == [("bucket",)]
    assert [p.get("alias") for p in cfg.providers] == ["dr"]
    assert cfg.terraform[0].children("backend")[0].labels == ("s3",)
    assert cfg.complete and not cfg.errors


def test_lines_are_offset_to_the_markdown(cfg):
    bucket = cfg.resources[0]
    # DR starts with a newline, so `resource` is on the 12th line of the text; the text starts at line 10.
    assert bucket.line == 10 + DR.splitlines().index('resource "aws_s3_bucket" "logs" {')
    assert bucket.source.startswith('resource "aws_s3_bucket" "logs"') and bucket.source.endswith("}")
    assert bucket.end_line - bucket.line == bucket.source.count("\n")


@pytest.mark.parametrize(
    "hcl, expected",
    [
        ('a = "plain"', "plain"),
        ("a = 3", 3),
        ("a = 2.5", 2.5),
        ("a = true", True),
        ("a = null", None),
        ('a = ["x", 1, false]', ["x", 1, False]),
        ('a = { K = "v", "quoted" = 2 }', {"K": "v", "quoted": 2}),
        (r'a = "say \"hi\"\n"', 'say "hi"\n'),
        ('a = "$${literal}"', "${literal}"),
        ("a = <<EOF\nline1\n  line2\nEOF", "line1\n  line2\n"),
        ("a = <<-EOT\n    x\n      y\n    EOT", "x\n  y\n"),
    ],
)
def test_literals_become_plain_values(hcl, expected):
    cfg = parse_hcl(f'resource "t" "n" {{\n{hcl}\n}}')
    value = cfg.resources[0].get("a")
    assert value == expected and not isinstance(value, Expr)


@pytest.mark.parametrize(
    "hcl, source",
    [
        ("a = var.x", "var.x"),
        ('a = "${var.x}-y"', '"${var.x}-y"'),
        ("a = var.on ? 1 : 2", "var.on ? 1 : 2"),
        ("a = <<EOF\n${var.x}\nEOF", "<<EOF\n${var.x}\nEOF"),
    ],
)
def test_expressions_keep_their_source(hcl, source):
    value = parse_hcl(f'resource "t" "n" {{\n{hcl}\n}}').resources[0].get("a")
    assert isinstance(value, Expr) and str(value) == source


def test_function_calls_keep_their_arguments():
    cfg = parse_hcl('resource "t" "n" {\n policy = jsonencode({ Statement = [{ Resource = "*" }] })\n}')
    policy = cfg.resources[0].get("policy")
    assert isinstance(policy, Call) and policy.name == "jsonencode"
    assert policy.args == [{"Statement": [{"Resource": "*"}]}]
    clone = pickle.loads(pickle.dumps(policy))
    assert clone.name == "jsonencode" and clone.args == policy.args and str(clone) == str(policy)


@pytest.mark.parametrize(
    "expr, refs",
    [
        ("aws_s3_bucket.logs.arn", ["aws_s3_bucket.logs"]),
        ("data.aws_caller_identity.me.account_id", ["data.aws_caller_identity.me"]),
        ('"${var.a}-${local.b}"', ["local.b", "var.a"]),
        ("module.net.vpc_id", ["module.net"]),
        ("aws_instance.web[0].id", ["aws_instance.web"]),
        ("aws_instance.web[*].id", ["aws_instance.web"]),
        ("[for s in var.list : s.id]", ["var.list"]),  # `s` is the iterator, not a resource
        ("{ for k, v in local.m : k => v.arn }", ["local.m"]),
        ("lookup(var.m, each.key, null)", ["each", "var.m"]),
        ('{ Name = "x" }', []),  # a bare key is a name, not a reference
        ("count.index", ["count"]),
    ],
)
def test_references_are_addresses(expr, refs):
    attr = parse_hcl(f'resource "t" "n" {{\n a = {expr}\n}}').resources[0].attributes["a"]
    assert sorted(r.address for r in attr.refs) == refs


def test_dynamic_block_iterator_is_not_a_reference():
    cfg = parse_hcl('''resource "aws_security_group" "s" {
  dynamic "ingress" {
    for_each = var.rules
    content { from_port = ingress.value.port }
  }
  dynamic "egress" {
    for_each = var.out
    iterator = rule
    content { to_port = rule.value.port }
  }
}''')
    addresses = sorted(r.address for r in cfg.resources[0].all_refs())
    assert addresses == ["var.out", "var.rules"]


def test_a_broken_block_is_recorded_and_the_others_are_kept():
    text = 'resource "a" "ok1" {\n  x = 1\n}\n\nresource "a" "bad" {\n  y = \n}\n\nresource "a" "ok2" {\n  z = 2\n}\n'
    cfg = parse_hcl(text, file="main.tf", line=100)
    assert [r.address for r in cfg.resources] == ["a.ok1", "a.ok2"]
    assert len(cfg.errors) == 1
    err = cfg.errors[0]
    assert err.file == "main.tf" and 104 <= err.line <= 106
    assert not cfg.complete


def test_duplicate_attributes_are_reported_not_dropped():
    cfg = parse_hcl('resource "a" "b" {\n  x = 1\n  x = 2\n  y = 3\n}\nlocals {\n  l = 1\n}\nlocals {\n  l = 2\n}\n')
    res = cfg.resources[0]
    assert res.duplicate_attributes == ("x",)
    assert res.get("x") == 2  # the last assignment is what we keep, the duplicate is reported
    assert cfg.duplicate_locals == ("l",)


@pytest.mark.parametrize("backend", ["treesitter", "hcl2"])
def test_both_backends_give_the_same_addresses(backend):
    cfg = parse_hcl(DR, backend=backend)
    assert [r.address for r in cfg.resources] == ["aws_s3_bucket.logs"]
    assert [d.address for d in cfg.data] == ["data.aws_iam_policy_document.read"]
    assert sorted(cfg.locals) == ["name"]
    assert cfg.resources[0].children("lifecycle")[0].get("prevent_destroy") is True


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown parser backend 'nope'"):
        parse_hcl("", backend="nope")


def test_a_fence_line_left_inside_code_is_not_a_syntax_error():
    from drdata.hcl import parse_code_blocks
    from drdata.hcl.model import CodeBlock

    text = 'resource "a" "one" {\n  x = 1\n}\n```hcl\nresource "a" "two" {\n  y = 2\n}\n'
    cfg = parse_code_blocks([CodeBlock(text=text, line=5, file="main.tf")])
    assert [r.address for r in cfg.resources] == ["a.one", "a.two"]
    assert not cfg.errors and cfg.resources[1].line == 9


def test_a_configuration_pickles_whole_without_its_memos():
    cfg = parse_hcl(DR, file="main.tf")
    cfg.resources_of("aws_s3_bucket")
    cfg.derived(lambda c: len(c.resources))  # fill both memo slots
    clone = pickle.loads(pickle.dumps(cfg))
    assert clone == cfg
    assert type(clone.resources[0]) is type(cfg.resources[0])
    assert clone.resources[0].attributes["tags"].refs == cfg.resources[0].attributes["tags"].refs
    assert clone._by_type is None and clone._derived is None


def test_derived_values_are_computed_once_and_follow_new_blocks():
    cfg = parse_hcl(DR)
    calls = []

    def count_resources(c):
        calls.append(1)
        return len(c.resources)

    assert cfg.derived(count_resources) == 1 and cfg.derived(count_resources) == 1
    assert len(calls) == 1
    cfg.resources.append(parse_hcl('resource "aws_sqs_queue" "q" {}').resources[0])
    assert cfg.derived(count_resources) == 2 and len(calls) == 2


@pytest.mark.parametrize(
    "hcl",
    [
        'a = { (var.k) = 1, name = var.n, "q" = local.q }',  # computed, bare and quoted keys
        "a = [var.x, 1, [local.y, { z = aws_s3_bucket.b.arn }]]",
        'a = jsonencode({ Statement = [{ Resource = "${aws_s3_bucket.b.arn}/*", Action = ["s3:*"] }] })',
        "a = merge(local.tags, { Name = format(\"%s-x\", var.env) })",
        "a = { for k, v in var.m : k => v.arn if v.on }",  # names bound by the for expression
        "a = [for s in aws_subnet.p : s.id]",
        "a = var.on ? aws_kms_key.k[0].arn : null",
        "a = aws_instance.web[*].id",
        "a = each.value.name",
        "a = <<EOF\n${var.x}\nEOF",
        'a = "plain"',
        "a = { b = { c = [1, 2] } }",
        "a = lookup(var.m, each.key, { d = data.aws_region.r.name })",
        "a = { (local.k) = { x = 1 } }",  # literal value under a computed key
        "a = try(var.x.y, tomap({}))",
    ],
)
def test_the_one_walk_conversion_equals_value_plus_refs(hcl):
    from tests.hcl._walk import value_refs_mismatches

    assert value_refs_mismatches(f'resource "t" "n" {{\n{hcl}\n}}\n') == []


# -- what a parse error may hide ---------------------------------------------------------------------------

def test_a_non_terraform_block_that_fails_to_parse_costs_nothing():
    from drdata.hcl import parse_answer

    answer = ('```hcl\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n```\n\n'
              '```hcl\ndef handler(event, context):\n    return {"ok": True}\n```\n')
    cfg = parse_answer(answer, cache=False)
    assert cfg.complete and [r.address for r in cfg.resources] == ["aws_sqs_queue.q"]


def test_a_complete_last_block_without_its_closing_fence_is_not_truncation():
    from drdata.hcl import parse_answer

    complete = '```hcl\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
    assert not parse_answer(complete, cache=False).truncated
    cut = '```hcl\nresource "aws_sqs_queue" "q" {\n  name = "q"\n'
    assert parse_answer(cut, cache=False).truncated


def test_a_detector_stays_clear_when_the_lost_text_holds_nothing_it_reads():
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_answer

    # The broken block is a security group; the KMS rule reads keys and aliases only.
    answer = ('```hcl\nresource "aws_kms_key" "k" {\n  description = "k"\n}\n'
              'resource "aws_kms_alias" "k" {\n  name = "alias/k"\n  target_key_id = aws_kms_key.k.key_id\n}\n'
              'resource "aws_security_group" "sg" {\n  ingress { from_port = 443, to_port = 443 }\n}\n```\n')
    cfg = parse_answer(answer, cache=False)
    assert cfg.errors and not cfg.complete
    assert run_detector(registry()["kms_key_alias_missing"], cfg).status == "clear"
    # A rule that reads security groups cannot trust its clear.
    assert run_detector(registry()["open_security_group"], cfg).status == "unknown"
