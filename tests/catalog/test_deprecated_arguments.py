import pytest

from tests.catalog._cases import check, run

CASES = [
    ("inline-versioning", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  versioning {\n    enabled = true\n  }\n}\n',
     "fires", ["aws_s3_bucket.b"], "aws_s3_bucket_versioning"),
    ("inline-acl", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  acl    = "private"\n}\n', "fires",
     ["aws_s3_bucket.b"], "`acl` is deprecated"),
    ("bucket-object", 'resource "aws_s3_bucket_object" "o" {\n  bucket = "b"\n  key = "k"\n}\n', "fires",
     ["aws_s3_bucket_object.o"], "aws_s3_object"),
    ("eip-vpc", 'resource "aws_eip" "e" {\n  vpc = true\n}\n', "fires", ["aws_eip.e"], 'domain = "vpc"'),
    ("db-name", 'resource "aws_db_instance" "d" {\n  name = "app"\n  engine = "mysql"\n}\n', "fires",
     ["aws_db_instance.d"], "db_name"),
    ("subnet-ids", 'data "aws_subnet_ids" "s" {\n  vpc_id = "v"\n}\n', "fires", ["data.aws_subnet_ids.s"], "aws_subnets"),
    ("nested-path", 'resource "aws_msk_cluster" "m" {\n  broker_node_group_info {\n    ebs_volume_size = 100\n  }\n}\n',
     "fires", ["aws_msk_cluster.m"], "ebs_volume_size"),
    ("split-s3", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\nresource "aws_s3_bucket_versioning" "v" {\n'
     '  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = "Enabled"\n  }\n}\n', "clear", [], None),
    ("eip-domain", 'resource "aws_eip" "e" {\n  domain = "vpc"\n}\n', "clear", [], None),
    ("db-db-name", 'resource "aws_db_instance" "d" {\n  db_name = "app"\n}\n', "clear", [], None),
    # `name` is fine on resources where it is not deprecated.
    ("name-elsewhere", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "clear", [], None),
    ("eip-vpc-false", 'resource "aws_eip" "e" {\n  vpc = false\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deprecated_arguments(hcl, status, addresses, fragment):
    check(run("deprecated_arguments", hcl), status, addresses, fragment)


def test_broken_answer_is_unknown():
    check(run("deprecated_arguments", 'resource "aws_s3_bucket" "b" {\n  bucket = = "b"\n}\n'), "unknown")


REF_CASES = [
    ("region-name", 'data "aws_region" "current" {}\nresource "aws_ssm_parameter" "p" {\n  name  = "r"\n'
     '  value = data.aws_region.current.name\n}\n', "fires", ["aws_ssm_parameter.p"], "data.aws_region.current.name"),
    ("region-name-in-template", 'data "aws_region" "current" {}\nlocals {\n'
     '  arn = "arn:aws:logs:${data.aws_region.current.name}:1:x"\n}\n', "fires", ["local.arn"], None),
    ("deployment-invoke-url", 'resource "aws_api_gateway_deployment" "d" {\n  rest_api_id = "x"\n}\n'
     'output "url" {\n  value = aws_api_gateway_deployment.d.invoke_url\n}\n', "fires", ["output.url"], "invoke_url"),
    ("region-region", 'data "aws_region" "current" {}\noutput "r" {\n  value = data.aws_region.current.region\n}\n',
     "clear", [], None),
    # `.name` of another object is fine.
    ("other-name", 'data "aws_region" "current" {}\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
     'output "n" {\n  value = aws_sqs_queue.q.name\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in REF_CASES], ids=[c[0] for c in REF_CASES])
def test_deprecated_attribute_references(hcl, status, addresses, fragment):
    check(run("deprecated_arguments", hcl), status, addresses, fragment)


_PINNED = ('terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
           '      version = "VERSION"\n    }\n  }\n}\n')


@pytest.mark.parametrize("version,status", [
    ("~> 5.0", "clear"),   # v6 deprecated data.aws_region's name; this answer runs on v5
    (">= 5.0", "fires"),   # admits v6
    ("~> 6.0", "fires"),
])
def test_what_a_major_the_answer_shuts_out_deprecates_does_not_apply(version, status):
    hcl = _PINNED.replace("VERSION", version) + REF_CASES[0][1]
    out = run("deprecated_arguments", hcl)
    check(out, status, ["aws_ssm_parameter.p"] if status == "fires" else [], None)


def test_a_v5_deprecation_applies_to_an_answer_pinned_to_v5():
    hcl = _PINNED.replace("VERSION", "~> 5.0") + 'resource "aws_eip" "e" {\n  vpc = true\n}\n'
    check(run("deprecated_arguments", hcl), "fires", ["aws_eip.e"], "domain")
