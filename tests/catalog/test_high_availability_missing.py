"""high_availability_missing: single-AZ RDS, lone cluster instance, one NAT, one-instance ASG, one-AZ subnets."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("rds_single_az", '''
resource "aws_db_instance" "db" {
  engine = "postgres"
}''', "fires", "aws_db_instance.db: multi_az absent"),
    ("single_nat_for_private_subnets", '''
resource "aws_subnet" "private" {
  count      = 3
  vpc_id     = "vpc-1"
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_nat_gateway" "nat" {
  allocation_id = "eipalloc-1"
  subnet_id     = "subnet-pub"
}''', "fires", "aws_nat_gateway.nat: one NAT gateway serves 3 private subnets"),
    ("asg_max_one", '''
resource "aws_autoscaling_group" "app" {
  min_size = 1
  max_size = 1
}''', "fires", "aws_autoscaling_group.app: max_size = 1"),
    ("subnets_in_one_az", '''
resource "aws_subnet" "a" {
  vpc_id            = "vpc-1"
  availability_zone = "us-east-1a"
}
resource "aws_subnet" "b" {
  vpc_id            = "vpc-1"
  availability_zone = "us-east-1a"
}''', "fires", "all 2 subnets are in us-east-1a"),
    ("aurora_with_one_instance", '''
resource "aws_rds_cluster" "c" {
  engine = "aurora-mysql"
}
resource "aws_rds_cluster_instance" "one" {
  cluster_identifier = aws_rds_cluster.c.id
}''', "fires", "aws_rds_cluster.c: only one aws_rds_cluster_instance"),
    ("redis_nodes_without_failover", '''
resource "aws_elasticache_replication_group" "r" {
  num_cache_clusters         = 2
  automatic_failover_enabled = false
}''', "fires", "2 nodes but automatic_failover_enabled is not true"),
    ("highly_available", '''
resource "aws_db_instance" "db" {
  engine   = "mysql"
  multi_az = true
}
resource "aws_subnet" "private" {
  count             = 2
  availability_zone = element(["us-east-1a", "us-east-1b"], count.index)
}
resource "aws_nat_gateway" "nat" {
  count     = 2
  subnet_id = "subnet-pub"
}
resource "aws_autoscaling_group" "app" {
  min_size = 2
  max_size = 6
}''', "clear", ""),
    ("aurora_with_two_instances_and_replica_db", '''
resource "aws_rds_cluster" "c" {
  engine = "aurora-postgresql"
}
resource "aws_rds_cluster_instance" "i" {
  count              = 2
  cluster_identifier = aws_rds_cluster.c.id
}
resource "aws_db_instance" "replica" {
  replicate_source_db = "primary"
}''', "clear", ""),
    ("subnets_in_two_azs", '''
resource "aws_subnet" "a" {
  availability_zone = "eu-west-1a"
}
resource "aws_subnet" "b" {
  availability_zone = "eu-west-1b"
}''', "clear", ""),
    ("multi_az_from_unset_variable", '''
variable "multi_az" {
  type = bool
}
resource "aws_db_instance" "db" {
  engine   = "postgres"
  multi_az = var.multi_az
}''', "unknown", "multi_az comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_high_availability_missing(hcl, status, expect):
    check_text("high_availability_missing", hcl, status, expect)


_ONE_NAT = CASES[[c[0] for c in CASES].index("single_nat_for_private_subnets")][1]


@pytest.mark.parametrize("prompt,status", [
    ("Use a single NAT Gateway to keep costs down.", "clear"),
    ("Cost optimization: 1 NAT Gateway (shared) for both private subnets.", "clear"),
    ("Deploy a NAT gateway for the private subnets.", "fires"),  # asks for NAT, not for a single one
    ("Use a single NAT Gateway in dev, and one NAT gateway per AZ in prod.", "fires"),
])
def test_a_single_nat_the_prompt_asks_for_is_not_a_gap(prompt, status):
    from tests.catalog._cases import run

    assert run("high_availability_missing", _ONE_NAT, prompt).status == status


@pytest.mark.parametrize("count,status", [
    ("1", "fires"),  # `count = 1` is still one gateway
    ("3", "clear"),
    ("var.nat_count", "unknown"),  # no default in sight: how many is not known
])
def test_a_nat_gateway_counted_by_count(count, status):
    hcl = _ONE_NAT.replace('resource "aws_nat_gateway" "nat" {\n', f'resource "aws_nat_gateway" "nat" {{\n  count = {count}\n')
    from tests.catalog._cases import run

    assert run("high_availability_missing", hcl).status == status
