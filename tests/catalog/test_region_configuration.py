import pytest

from tests.catalog._cases import check, run

REGION_VAR = 'variable "aws_region" {\n  type    = string\n  default = "us-east-1"\n}\n'
PROV_VAR = 'provider "aws" {\n  region = var.aws_region\n}\n'
PROV_WEST = 'provider "aws" {\n  region = "us-west-2"\n}\n'

CASES = [
    ("literal-provider-region", REGION_VAR + PROV_WEST, "fires", ["provider.aws", "var.aws_region"],
     'region = "us-west-2" hard-coded although var.aws_region'),
    ("literal-without-variable", PROV_WEST + 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "fires",
     ["provider.aws"], "instead of a region variable"),
    ("unused-region-variable",
     'variable "region" {\n  type = string\n}\nprovider "aws" {\n  region = var.aws_region\n}\n' + REGION_VAR,
     "fires", ["var.region"], "never used"),
    ("az-of-other-region", REGION_VAR + PROV_VAR
     + 'resource "aws_subnet" "a" {\n  vpc_id            = "vpc-1"\n  cidr_block        = "10.0.1.0/24"\n'
       '  availability_zone = "eu-west-1a"\n}\n', "fires", ["aws_subnet.a"], "is in eu-west-1"),
    ("arn-of-other-region", REGION_VAR + PROV_VAR
     + 'resource "aws_sns_topic_subscription" "s" {\n  topic_arn = "arn:aws:sns:ap-south-1:111122223333:t"\n'
       '  protocol  = "sqs"\n  endpoint  = "x"\n}\n', "fires", ["aws_sns_topic_subscription.s"], "ap-south-1"),
    # Without its own provider block the answer runs under the pipeline's provider.tf, which reads
    # var.aws_region: the answer has to declare it.
    ("pipeline-region-variable-missing", 'variable "region" {\n  type = string\n}\n'
     'resource "aws_sqs_queue" "q" {\n  name = "q-${var.region}"\n}\n', "fires", ["var.aws_region"], "not declared"),
    ("variable-driven", REGION_VAR + PROV_VAR
     + 'resource "aws_subnet" "a" {\n  vpc_id = "v"\n  availability_zone = "us-east-1b"\n}\n', "clear", [], None),
    # An aliased second region may be literal (DR region, CloudFront certificates).
    ("aliased-literal", REGION_VAR + PROV_VAR + 'provider "aws" {\n  alias  = "dr"\n  region = "us-west-2"\n}\n'
     + 'resource "aws_s3_bucket" "r" {\n  provider = aws.dr\n  bucket = "r"\n}\n', "clear", [], None),
    ("cloudfront-cert", REGION_VAR + 'provider "aws" {\n  region = var.aws_region\n}\n'
     + 'variable "other_region" {\n  default = "eu-west-1"\n}\n'
     + 'provider "aws" {\n  alias  = "eu"\n  region = var.other_region\n}\n'
     + 'resource "aws_cloudfront_distribution" "d" {\n  provider = aws.eu\n  viewer_certificate {\n'
       '    acm_certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/abc"\n  }\n}\n', "clear", [], None),
    # No provider block shown: the pipeline's provider.tf uses the region variable.
    ("no-provider-shown", REGION_VAR + 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "unknown", [],
     "shows no provider"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_region_configuration(hcl, status, addresses, fragment):
    check(run("region_configuration", hcl), status, addresses, fragment)


def test_a_literal_region_the_task_fixes_in_one_file_is_what_was_asked():
    from tests.catalog._cases import run

    hcl = 'provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
    asked = "Everything in a single file main.tf. Region: all resources must be deployed in us-east-1."
    assert run("region_configuration", hcl, asked).status == "clear"
    assert run("region_configuration", hcl, "Build a queue.").status == "fires"
