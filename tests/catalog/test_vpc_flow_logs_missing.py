"""vpc_flow_logs_missing: VPCs no flow log covers, and flow logs that cannot be created."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("vpc_alone", '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}''', "fires", "aws_vpc.main: no aws_flow_log records its traffic"),
    ("second_vpc_uncovered", '''
resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "b" {
  cidr_block = "10.1.0.0/16"
}
resource "aws_flow_log" "a" {
  vpc_id          = aws_vpc.a.id
  traffic_type    = "ALL"
  iam_role_arn    = "arn:role"
  log_destination = "arn:lg"
}''', "fires", "aws_vpc.b: no aws_flow_log"),
    ("invalid_destination_argument", '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.main.id
  log_destination_arn  = "arn:aws:s3:::flow"
  log_destination_type = "s3"
  traffic_type         = "ALL"
}''', "fires", "log_destination_arn is not an aws_flow_log argument"),
    ("s3_with_role_and_bad_interval", '''
resource "aws_flow_log" "f" {
  vpc_id                   = "vpc-1"
  log_destination          = "arn:aws:s3:::flow"
  log_destination_type     = "s3"
  iam_role_arn             = "arn:role"
  max_aggregation_interval = 300
  traffic_type             = "ALL"
}''', "fires", "max_aggregation_interval = 300"),
    ("covered_directly", '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.main.id
  log_destination      = "arn:aws:s3:::flow"
  log_destination_type = "s3"
  traffic_type         = "ALL"
}''', "clear", ""),
    ("covered_through_local", '''
locals {
  vpc_id = aws_vpc.main.id
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "f" {
  vpc_id          = local.vpc_id
  iam_role_arn    = "arn:role"
  log_destination = "arn:lg"
  traffic_type    = "REJECT"
}''', "clear", ""),
    ("covered_through_subnet", '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_flow_log" "f" {
  subnet_id            = aws_subnet.app.id
  log_destination      = "arn:aws:s3:::flow"
  log_destination_type = "s3"
  traffic_type         = "ALL"
}''', "clear", ""),
    ("flow_log_on_variable_vpc", '''
variable "vpc_id" {
  type = string
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_flow_log" "f" {
  vpc_id               = var.vpc_id
  log_destination      = "arn:aws:s3:::flow"
  log_destination_type = "s3"
  traffic_type         = "ALL"
}''', "unknown", "targets a VPC given by an expression drdata cannot follow"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_vpc_flow_logs_missing(hcl, status, expect):
    check_text("vpc_flow_logs_missing", hcl, status, expect)
