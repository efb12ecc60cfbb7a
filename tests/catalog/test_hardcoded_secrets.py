"""hardcoded_secrets: literal secrets in resources, variable defaults, env vars, secret strings, outputs.

No cannot-tell case: a value Terraform must evaluate is by definition not a literal in the code.
"""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("rds_literal_password", '''
resource "aws_db_instance" "db" {
  engine   = "mysql"
  username = "appuser"
  password = "Sup3rSecret!"
}''', "fires", "aws_db_instance.db: `password` is a literal secret"),
    ("variable_default", '''
variable "db_master_password" {
  type    = string
  default = "hunter2hunter2"
}''', "fires", "var.db_master_password: secret variable has a literal default"),
    ("lambda_env_api_key", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  environment {
    variables = {
      STRIPE_API_KEY = "sk_live_abcdef"
      TABLE_NAME     = "orders"
    }
  }
}''', "fires", "`environment.variables.STRIPE_API_KEY` is a literal secret"),
    ("secret_string_jsonencode", '''
resource "aws_secretsmanager_secret_version" "v" {
  secret_id     = "s"
  secret_string = jsonencode({ username = "svc", password = "plain-text-pw" })
}''', "fires", "`secret_string.password` is a literal secret"),
    ("output_exposes_random_password", '''
resource "random_password" "db" {
  length = 20
}
output "db_password" {
  value = random_password.db.result
}''', "fires", "output.db_password: exposes a secret"),
    ("ssm_parameter_literal", '''
resource "aws_ssm_parameter" "token" {
  name  = "/app/github_token"
  type  = "SecureString"
  value = "ghp_1234567890"
}''', "fires", "aws_ssm_parameter.token: parameter"),
    ("random_password_reference", '''
resource "random_password" "db" {
  length = 24
}
resource "aws_db_instance" "db" {
  username = "appuser"
  password = random_password.db.result
}
output "db_password" {
  value     = random_password.db.result
  sensitive = true
}''', "clear", ""),
    ("managed_master_password", '''
resource "aws_rds_cluster" "c" {
  engine                      = "aurora-postgresql"
  master_username             = "appadmin"
  manage_master_user_password = true
}''', "clear", ""),
    ("variable_without_default_and_name_variables", '''
variable "db_password" {
  type      = string
  sensitive = true
}
variable "secret_name" {
  default = "prod/db"
}
variable "password_length" {
  default = 32
}''', "clear", ""),
    ("secret_reference_names_in_env", '''
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  environment {
    variables = {
      DB_SECRET_ARN  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"
      API_KEY_PARAM  = "/app/api-key"
    }
  }
}''', "clear", ""),
    ("localstack_dummy_provider_keys", '''
provider "aws" {
  access_key = "test"
  secret_key = "test"
  region     = "us-east-1"
}''', "clear", ""),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hardcoded_secrets(hcl, status, expect):
    check_text("hardcoded_secrets", hcl, status, expect)
