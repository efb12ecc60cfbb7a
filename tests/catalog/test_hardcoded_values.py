import pytest

from tests.catalog._cases import check, run

CASES = [
    ("ami", 'resource "aws_instance" "i" {\n  ami           = "ami-0abcdef1234567890"\n  instance_type = "t3.micro"\n}\n',
     "fires", ["aws_instance.i"], "literal AMI id"),
    ("account-in-arn",
     'resource "aws_iam_role_policy_attachment" "a" {\n  role       = "r"\n'
     '  policy_arn = "arn:aws:iam::123456789012:policy/custom"\n}\n', "fires", ["aws_iam_role_policy_attachment.a"],
     "account id"),
    ("az", 'resource "aws_subnet" "a" {\n  vpc_id            = "v"\n  availability_zone = "us-east-1a"\n}\n', "fires",
     ["aws_subnet.a"], "availability zone"),
    ("account-in-policy-json",
     'resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = jsonencode({\n    Statement = [{\n'
     '      Principal = { AWS = "arn:aws:iam::210987654321:root" }\n    }]\n  })\n}\n', "fires",
     ["aws_s3_bucket_policy.p"], None),
    ("bare-account-principal", 'resource "aws_lambda_permission" "p" {\n  function_name = "f"\n'
     '  principal     = "123456789012"\n}\n', "fires", ["aws_lambda_permission.p"], "account id"),
    ("ami-in-local", 'locals {\n  ami = "ami-12345678"\n}\n', "fires", ["local.ami"], "AMI id"),
    ("data-sources", 'data "aws_caller_identity" "me" {}\ndata "aws_availability_zones" "az" {}\n'
     'resource "aws_subnet" "a" {\n  vpc_id            = "v"\n  availability_zone = data.aws_availability_zones.az.names[0]\n}\n',
     "clear", [], None),
    # AMI owner ids are the documented way to filter AMIs.
    ("ami-owner", 'data "aws_ami" "al" {\n  owners      = ["137112412989"]\n  most_recent = true\n}\n', "clear", [], None),
    # Defaults of variables are configurable.
    ("variable-default", 'variable "azs" {\n  default = ["us-east-1a", "us-east-1b"]\n}\n'
     'resource "aws_subnet" "a" {\n  vpc_id = "v"\n  availability_zone = var.azs[0]\n}\n', "clear", [], None),
    ("aws-managed-policy", 'resource "aws_iam_role_policy_attachment" "a" {\n  role = "r"\n'
     '  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hardcoded_values(hcl, status, addresses, fragment):
    check(run("hardcoded_values", hcl), status, addresses, fragment)


def test_broken_answer_without_literals_is_unknown():
    check(run("hardcoded_values", 'resource "aws_instance" "i" {\n  ami = = "x"\n}\n'), "unknown")
