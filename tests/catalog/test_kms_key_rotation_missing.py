"""kms_key_rotation_missing: symmetric keys without rotation; asymmetric/HMAC keys cannot rotate."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("absent", '''
resource "aws_kms_key" "data" {
  description = "data key"
}''', "fires", "aws_kms_key.data: enable_key_rotation absent"),
    ("false", '''
resource "aws_kms_key" "logs" {
  enable_key_rotation = false
}''', "fires", "enable_key_rotation = false"),
    ("false_via_variable_default", '''
variable "rotate" {
  default = false
}
resource "aws_kms_key" "k" {
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = var.rotate
}''', "fires", "aws_kms_key.k: enable_key_rotation = var.rotate"),
    ("enabled", '''
resource "aws_kms_key" "k" {
  enable_key_rotation = true
}''', "clear", ""),
    ("asymmetric_signing_key", '''
resource "aws_kms_key" "sign" {
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}''', "clear", ""),
    ("hmac_key", '''
resource "aws_kms_key" "mac" {
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
}''', "clear", ""),
    ("rotation_from_unset_variable", '''
variable "rotate" {
  type = bool
}
resource "aws_kms_key" "k" {
  enable_key_rotation = var.rotate
}''', "unknown", "enable_key_rotation comes from an unresolved expression"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kms_key_rotation_missing(hcl, status, expect):
    check_text("kms_key_rotation_missing", hcl, status, expect)
