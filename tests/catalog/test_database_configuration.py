"""database_configuration: public databases, no subnet group, reserved user names, broken subnet groups."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("public_instance", '''
resource "aws_db_instance" "db" {
  engine               = "mysql"
  username             = "appuser"
  db_subnet_group_name = "grp"
  publicly_accessible  = true
}''', "fires", "aws_db_instance.db: publicly_accessible = true"),
    ("no_subnet_group", '''
resource "aws_db_instance" "db" {
  engine   = "postgres"
  username = "appuser"
}''', "fires", "no db_subnet_group_name"),
    ("admin_on_aurora_postgres_from_var_default", '''
variable "master_user" {
  default = "admin"
}
resource "aws_rds_cluster" "c" {
  engine               = "aurora-postgresql"
  master_username      = var.master_user
  db_subnet_group_name = "grp"
}''', "fires", "master_username 'admin' is reserved by aurora-postgresql"),
    ("sa_on_sqlserver", '''
resource "aws_db_instance" "mssql" {
  engine               = "sqlserver-ex"
  username             = "sa"
  db_subnet_group_name = "grp"
}''', "fires", "username 'sa' is reserved by sqlserver-ex"),
    ("subnet_group_across_vpcs", '''
resource "aws_subnet" "a" {
  vpc_id = aws_vpc.one.id
}
resource "aws_subnet" "b" {
  vpc_id = aws_vpc.two.id
}
resource "aws_db_subnet_group" "g" {
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
}''', "fires", "aws_db_subnet_group.g: subnets from different VPCs"),
    # One subnet resource per environment, each in its environment's instance of one VPC resource.
    ("subnet_group_per_environment", '''
resource "aws_subnet" "database" {
  for_each = local.subnets
  vpc_id   = aws_vpc.main[each.value.env].id
}
resource "aws_subnet" "app" {
  for_each = local.subnets
  vpc_id   = aws_vpc.main[each.value.env].id
}
resource "aws_db_subnet_group" "g" {
  for_each   = local.envs
  subnet_ids = [aws_subnet.database["${each.key}-0"].id, aws_subnet.app["${each.key}-0"].id]
}''', "clear", ""),
    ("single_subnet_group", '''
resource "aws_subnet" "db" {
  vpc_id = "vpc-1"
}
resource "aws_db_subnet_group" "g" {
  subnet_ids = [aws_subnet.db.id]
}''', "fires", "a single subnet (aws_subnet.db)"),
    ("private_postgres_with_group", '''
resource "aws_db_subnet_group" "g" {
  subnet_ids = aws_subnet.private[*].id
}
resource "aws_db_instance" "db" {
  engine               = "postgres"
  username             = "dbadmin"
  db_subnet_group_name = aws_db_subnet_group.g.name
  publicly_accessible  = false
}''', "clear", ""),
    ("admin_is_fine_on_mysql", '''
resource "aws_db_instance" "db" {
  engine               = "mysql"
  username             = "admin"
  db_subnet_group_name = "grp"
}''', "clear", ""),
    ("replica_inherits", '''
resource "aws_db_instance" "replica" {
  replicate_source_db = "primary-db"
  instance_class      = "db.t3.micro"
}''', "clear", ""),
    ("unknown_engine_family", '''
resource "aws_db_instance" "db" {
  engine               = "db2-se"
  username             = "db2inst"
  db_subnet_group_name = "grp"
}''', "unknown", "engine 'db2-se' not in the reserved-username table"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_database_configuration(hcl, status, expect):
    check_text("database_configuration", hcl, status, expect)
