"""ec2_instance_hardening: IMDSv1 allowed, public IPs in private tiers."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("instance_without_metadata_options", '''
resource "aws_instance" "web" {
  ami           = "ami-1"
  instance_type = "t3.micro"
}''', "fires", "aws_instance.web: no metadata_options"),
    ("launch_template_optional_tokens", '''
resource "aws_launch_template" "lt" {
  image_id = "ami-1"
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}''', "fires", "metadata_options.http_tokens = optional"),
    ("public_ip_in_private_subnet", '''
resource "aws_subnet" "private_a" {
  vpc_id     = "vpc-1"
  cidr_block = "10.0.1.0/24"
}
resource "aws_instance" "worker" {
  ami                         = "ami-1"
  subnet_id                   = aws_subnet.private_a.id
  associate_public_ip_address = true
  metadata_options {
    http_tokens = "required"
  }
}''', "fires", "associate_public_ip_address = true in private subnet aws_subnet.private_a"),
    ("private_subnet_maps_public_ips", '''
resource "aws_subnet" "private" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.2.0/24"
  map_public_ip_on_launch = true
}''', "fires", "private subnet sets map_public_ip_on_launch = true"),
    ("imdsv2_required", '''
resource "aws_instance" "web" {
  ami = "ami-1"
  metadata_options {
    http_tokens = "required"
  }
}
resource "aws_launch_template" "lt" {
  metadata_options {
    http_tokens = "required"
  }
}''', "clear", ""),
    ("public_ip_in_public_subnet", '''
resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.0.0/24"
  map_public_ip_on_launch = true
}
resource "aws_instance" "bastion" {
  subnet_id                   = aws_subnet.public.id
  associate_public_ip_address = true
  metadata_options {
    http_tokens = "required"
  }
}''', "clear", ""),
    ("no_compute_at_all", '''
resource "aws_subnet" "private" {
  vpc_id     = "vpc-1"
  cidr_block = "10.0.2.0/24"
}''', "clear", ""),
    ("tokens_from_unset_variable", '''
variable "tokens" {
  type = string
}
resource "aws_instance" "web" {
  metadata_options {
    http_tokens = var.tokens
  }
}''', "unknown", "metadata_options.http_tokens comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ec2_instance_hardening(hcl, status, expect):
    check_text("ec2_instance_hardening", hcl, status, expect)
