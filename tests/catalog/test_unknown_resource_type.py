import pytest

from tests.catalog._cases import check, run

CASES = [
    ("invented-resource", 'resource "aws_cloudwatch_alarm" "a" {\n  alarm_name = "a"\n}\n', "fires",
     ["aws_cloudwatch_alarm.a"], "did you mean `aws_cloudwatch_metric_alarm`?"),
    ("invented-data-source", 'data "aws_vpc_ids" "v" {}\n', "fires", ["data.aws_vpc_ids.v"], "no data source"),
    ("resource-as-data", 'data "aws_iam_role_policy_attachment" "x" {\n  role = "r"\n}\n', "fires",
     ["data.aws_iam_role_policy_attachment.x"], "a resource type, not a data source"),
    ("data-as-resource", 'resource "aws_availability_zones" "z" {}\n', "fires", ["aws_availability_zones.z"],
     "a data source, not a resource type"),
    ("real-types", 'resource "aws_s3_bucket" "b" {}\ndata "aws_caller_identity" "me" {}\n', "clear", [], None),
    # Only the aws provider's schema is shipped: other providers' types are not judged.
    ("other-providers", 'resource "random_id" "r" {\n  byte_length = 4\n}\ndata "archive_file" "z" {\n'
     '  type = "zip"\n}\nresource "awscc_s3_bucket" "b" {}\nresource "terraform_data" "t" {}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_unknown_resource_type(hcl, status, addresses, fragment):
    check(run("unknown_resource_type", hcl), status, addresses, fragment)


def test_broken_answer_is_unknown():
    # A type name is judged wherever it is, but a clear verdict needs the whole answer.
    check(run("unknown_resource_type", 'resource "aws_s3_bucket" "b" {\n  bucket = = "b"\n}\n'), "unknown")
