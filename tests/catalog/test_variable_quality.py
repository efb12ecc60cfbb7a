import pytest

from tests.catalog._cases import answer, check, run, run_md

USE = 'resource "aws_sqs_queue" "q" {\n  name = var.name\n}\n'
GOOD = 'variable "name" {\n  type        = string\n  description = "Queue name"\n}\n'

CASES = [
    ("unused", GOOD + 'variable "size" {\n  type        = number\n  description = "Unused"\n}\n' + USE, "fires",
     ["var.size"], "never used"),
    ("no-type", 'variable "name" {\n  description = "Queue name"\n}\n' + USE, "fires", ["var.name"], "no type"),
    ("no-description", 'variable "name" {\n  type = string\n}\n' + USE, "fires", ["var.name"], "no description"),
    ("enumerated-without-validation",
     'variable "name" {\n  type        = string\n  description = "Tier (dev, staging, prod)"\n}\n' + USE,
     "fires", ["var.name"], "no validation block"),
    # A validation block that refers to its own variable does not count as a use.
    ("only-self-reference",
     GOOD + 'variable "env" {\n  type        = string\n  description = "Environment"\n  validation {\n'
     '    condition     = contains(["dev", "prod"], var.env)\n    error_message = "dev or prod"\n  }\n}\n' + USE,
     "fires", ["var.env"], "never used"),
    ("all-good", GOOD + USE, "clear", [], None),
    ("enumerated-with-validation",
     'variable "name" {\n  type        = string\n  description = "One of: a, b"\n  validation {\n'
     '    condition     = contains(["a", "b"], var.name)\n    error_message = "a or b"\n  }\n}\n' + USE,
     "clear", [], None),
    ("examples-not-enumeration",
     'variable "name" {\n  type        = string\n  description = "Environment (e.g. dev, staging, prod)"\n}\n' + USE,
     "clear", [], None),
    # Used only through a local.
    ("used-via-local", GOOD + 'locals {\n  q = "${var.name}-queue"\n}\n'
     'resource "aws_sqs_queue" "q" {\n  name = local.q\n}\n', "clear", [], None),
    # The suffix and region variables are other categories' business.
    ("suffix-unused", GOOD + 'variable "environment_suffix" {\n  type        = string\n  description = "s"\n}\n' + USE,
     "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_variable_quality(hcl, status, addresses, fragment):
    check(run("variable_quality", hcl), status, addresses, fragment)


def test_variables_of_a_local_module_are_used_there():
    md = answer({"main.tf": 'module "net" {\n  source = "./modules/net"\n  cidr   = "10.0.0.0/16"\n}\n',
                 "modules/net/variables.tf": 'variable "cidr" {\n  type        = string\n  description = "c"\n}\n',
                 "modules/net/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = var.cidr\n}\n'})
    check(run_md("variable_quality", md), "clear")


def test_unused_in_root_although_a_module_uses_the_name():
    md = answer({"variables.tf": 'variable "cidr" {\n  type        = string\n  description = "c"\n}\n',
                 "main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n',
                 "modules/net/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = var.cidr\n}\n'})
    check(run_md("variable_quality", md), "fires", ["var.cidr"], "never used")


@pytest.mark.parametrize(
    "text, names",
    [
        ("name = var.name", ["name"]),
        ("a = var.a\nb = (var.b-c)", ["a", "b-c"]),
        ('x = "${var.region}"', ["region"]),
        ("var.start_of_text", ["start_of_text"]),
        ("x = myvar.not_a_var", []),  # preceded by a word character: not a variable
        ("x = _var.nope + évar.nope2 + 9var.nope3", []),
        ("x = var.1bad", []),  # a name must start with a letter or underscore
    ],
)
def test_textual_var_scan_matches_whole_words_only(text, names):
    from drdata.detectors.helpers import _var_names

    assert _var_names(text) == names


def test_unused_in_a_truncated_answer_cannot_be_told():
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_answer

    answer = ('```hcl\nvariable "vpc_cidr" {\n  type        = string\n  description = "CIDR"\n}\n'
              'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\nresource "aws_vpc" "v" {\n')
    out = run_detector(registry()["variable_quality"], parse_answer(answer, cache=False))
    assert out.status == "unknown" and any("not cut off" in r for r in out.reasons)


def test_a_region_variable_without_a_provider_block_in_sight_cannot_be_told():
    from tests.catalog._cases import run

    hcl = ('variable "primary_region" {\n  type        = string\n  description = "where"\n}\n'
           'resource "aws_sqs_queue" "q" {\n  provider = aws.primary\n  name     = "q"\n}\n')
    out = run("variable_quality", hcl)
    assert out.status == "unknown" and any("provider block" in r for r in out.reasons)
    shown = hcl + 'provider "aws" {\n  alias  = "primary"\n  region = "us-east-1"\n}\n'
    assert run("variable_quality", shown).status == "fires"


@pytest.mark.parametrize("hcl,fragment", [
    # Only variables are shown (a variables.tf excerpt): the code that would use them is not there.
    ('variable "size" {\n  type        = number\n  description = "Size"\n}\n', "no resource or module"),
    # Markdown ate the underscores of the name; its uses (var.iam_user_name) cannot be matched to it.
    ('variable "iam*user_name" {\n  type        = string\n  description = "u"\n}\n' + USE,
     "not a valid identifier"),
])
def test_unused_cannot_be_told(hcl, fragment):
    out = run("variable_quality", hcl)
    check(out, "unknown", [], fragment)
