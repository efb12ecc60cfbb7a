import pytest

from tests.catalog._cases import answer, check, run, run_md

AWS = 'provider "aws" {\n  region = var.aws_region\n}\n'
WEST = 'provider "aws" {\n  alias  = "west"\n  region = "us-west-2"\n}\n'

CASES = [
    ("two-default-providers", AWS + 'provider "aws" {\n  region = "eu-west-1"\n}\n', "fires", ["provider.aws"],
     "configured twice with no alias"),
    ("same-alias-twice", AWS + WEST + 'provider "aws" {\n  alias  = "west"\n  region = "us-west-1"\n}\n', "fires",
     ["provider.aws.west"], "alias `west`"),
    ("undeclared-alias", AWS + 'resource "aws_s3_bucket" "b" {\n  provider = aws.east\n  bucket = "b"\n}\n', "fires",
     ["aws_s3_bucket.b"], "provider = aws.east"),
    ("undeclared-alias-in-module", AWS + 'module "m" {\n  source = "./m"\n  providers = {\n    aws = aws.dr\n  }\n}\n',
     "fires", ["module.m"], "aws.dr"),
    ("two-required-providers",
     'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
     'terraform {\n  required_providers {\n    random = { source = "hashicorp/random" }\n  }\n}\n' + AWS,
     "fires", ["terraform.required_providers"], "2 required_providers blocks"),
    ("default-and-alias", AWS + WEST + 'resource "aws_s3_bucket" "b" {\n  provider = aws.west\n  bucket = "b"\n}\n',
     "clear", [], None),
    ("two-aliases", WEST + 'provider "aws" {\n  alias  = "east"\n  region = "us-east-1"\n}\n', "clear", [], None),
    # Utility providers missing from required_providers: Terraform infers hashicorp/random; not flagged.
    ("random-not-required",
     'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n' + AWS
     + 'resource "random_id" "s" {\n  byte_length = 4\n}\n', "clear", [], None),
    # No provider "aws" block at all: provider.tf was left to the pipeline, the alias may live there.
    ("no-provider-block", 'resource "aws_s3_bucket" "b" {\n  provider = aws.west\n  bucket = "b"\n}\n',
     "unknown", [], "shows no provider"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_provider_configuration_error(hcl, status, addresses, fragment):
    check(run("provider_configuration_error", hcl), status, addresses, fragment)


PROVIDER = 'provider "aws" {\n  region = var.aws_region\n}\n'
TF = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'

FILE_CASES = [
    ("provider-in-main", {"main.tf": PROVIDER + QUEUE}, "fires", ["provider.aws"], "block in main.tf"),
    ("terraform-in-stack", {"tap_stack.tf": TF + QUEUE}, "fires", ["terraform@tap_stack.tf"], "terraform block"),
    ("both-in-lib-main", {"lib/main.tf": TF + PROVIDER + QUEUE}, "fires", ["provider.aws", "terraform@main.tf"], None),
    ("in-provider-file", {"provider.tf": TF + PROVIDER, "main.tf": QUEUE}, "clear", [], None),
    # An aliased provider in main.tf adds a configuration next to the pipeline's default one.
    ("alias-in-main", {"provider.tf": TF + PROVIDER,
                       "main.tf": PROVIDER.replace("{\n", '{\n  alias = "west"\n', 1) + QUEUE}, "clear", [], None),
    ("in-versions-file", {"versions.tf": TF, "providers.tf": PROVIDER, "main.tf": QUEUE}, "clear", [], None),
    # A local module declares its own required_providers where it lives.
    ("module-versions", {"provider.tf": PROVIDER, "modules/q/main.tf": TF + QUEUE}, "clear", [], None),
]


@pytest.mark.parametrize("files,status,addresses,fragment", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_provider_blocks_belong_in_provider_files(files, status, addresses, fragment):
    check(run_md("provider_configuration_error", answer(files)), status, addresses, fragment)


@pytest.mark.parametrize("ref", ['"aws.west"', "aws[each.key]", '"aws"'])
def test_provider_reference_must_be_bare(ref):
    hcl = f'provider "aws" {{\n  alias = "west"\n}}\nresource "aws_sqs_queue" "q" {{\n  provider = {ref}\n}}\n'
    check(run("provider_configuration_error", hcl), "fires", ["aws_sqs_queue.q"], "is not a provider reference")
