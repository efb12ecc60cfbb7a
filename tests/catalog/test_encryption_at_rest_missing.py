"""encryption_at_rest_missing: opt-in encryption left out; always-encrypted services stay clear."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("rds_without_storage_encrypted", '''
resource "aws_db_instance" "db" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}''', "fires", "aws_db_instance.db: storage_encrypted absent"),
    ("aurora_cluster_false", '''
resource "aws_rds_cluster" "c" {
  engine            = "aurora-mysql"
  storage_encrypted = false
}''', "fires", "storage_encrypted = false"),
    ("ebs_root_volume_unencrypted", '''
resource "aws_instance" "web" {
  ami = "ami-1"
  root_block_device {
    volume_size = 20
  }
}''', "fires", "root_block_device.encrypted absent"),
    ("sns_topic_without_key", '''
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}''', "fires", "aws_sns_topic.alerts: no kms_master_key_id"),
    ("efs_and_kinesis", '''
resource "aws_efs_file_system" "fs" {
  creation_token = "fs"
}
resource "aws_kinesis_stream" "s" {
  name        = "s"
  shard_count = 1
}''', "fires", "aws_kinesis_stream.s: encryption_type is absent"),
    ("encrypted_everything", '''
resource "aws_kms_key" "k" {
  enable_key_rotation = true
}
resource "aws_db_instance" "db" {
  engine            = "mysql"
  storage_encrypted = true
  kms_key_id        = aws_kms_key.k.arn
}
resource "aws_sns_topic" "t" {
  kms_master_key_id = aws_kms_key.k.id
}
resource "aws_instance" "i" {
  ami = "ami-1"
  root_block_device {
    encrypted = true
  }
}''', "clear", ""),
    ("always_encrypted_services_defaults", '''
resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
}
resource "aws_sqs_queue" "q" {
  name = "q"
}
resource "aws_cloudwatch_log_group" "lg" {
  name              = "/app"
  retention_in_days = 14
}''', "clear", ""),
    ("ebs_default_encryption_and_replica", '''
resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}
resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
}
resource "aws_db_instance" "replica" {
  replicate_source_db = "source-db"
  instance_class      = "db.t3.micro"
}''', "clear", ""),
    ("encryption_flag_from_variable", '''
variable "encrypt" {
  type = bool
}
resource "aws_rds_cluster" "c" {
  engine            = "aurora-postgresql"
  storage_encrypted = var.encrypt
}''', "unknown", "storage_encrypted comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_encryption_at_rest_missing(hcl, status, expect):
    check_text("encryption_at_rest_missing", hcl, status, expect)
