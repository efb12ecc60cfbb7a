import pytest

from tests.detectors._ref import check, run

BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n'
SSE = ('resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {\n  bucket = aws_s3_bucket.logs.id\n'
       '  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = "aws:kms"\n    }\n  }\n}\n')
VERSIONING = ('resource "aws_s3_bucket_versioning" "logs" {\n  bucket = aws_s3_bucket.logs.bucket\n'
              '  versioning_configuration {\n    status = "Enabled"\n  }\n}\n')
PAB = ('resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket = aws_s3_bucket.logs.id\n'
       '  block_public_acls = true\n}\n')

FOR_EACH = '''
resource "aws_s3_bucket" "b" {
  for_each = toset(["raw", "clean"])
  bucket   = "acme-${each.key}"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  for_each = aws_s3_bucket.b
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_versioning" "b" {
  for_each = aws_s3_bucket.b
  bucket   = aws_s3_bucket.b[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_public_access_block" "b" {
  for_each = aws_s3_bucket.b
  bucket   = each.value.id
}
'''

INLINE = '''
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy"
  versioning {
    enabled = true
  }
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
resource "aws_s3_account_public_access_block" "all" {
  block_public_acls = true
}
'''

CASES = [
    ("bare-bucket", BUCKET, "fires", ["aws_s3_bucket.logs"],
     "aws_s3_bucket.logs: no public access block | aws_s3_bucket.logs: no server-side encryption | "
     "aws_s3_bucket.logs: no versioning"),
    ("only-versioning", BUCKET + VERSIONING, "fires", ["aws_s3_bucket.logs"],
     "aws_s3_bucket.logs: no public access block | aws_s3_bucket.logs: no server-side encryption"),
    ("versioning-suspended", BUCKET + SSE + PAB + VERSIONING.replace("Enabled", "Suspended"), "fires",
     ["aws_s3_bucket.logs"], "aws_s3_bucket.logs: no versioning"),
    ("connected-by-literal-name", BUCKET + SSE.replace("aws_s3_bucket.logs.id", '"acme-logs"') + PAB,
     "fires", ["aws_s3_bucket.logs"], "no versioning"),
    ("all-three-connected", BUCKET + SSE + VERSIONING + PAB, "clear", [], None),
    ("for-each-connected", FOR_EACH, "clear", [], None),
    ("inline-blocks-and-account-pab", INLINE, "clear", [], None),
    ("versioning-from-variable-without-default",
     BUCKET + SSE + PAB + VERSIONING.replace('"Enabled"', "var.versioning") + 'variable "versioning" {}\n',
     "unknown", [], "versioning depends on an unresolved value"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_s3_bucket_security_missing(hcl, status, addresses, fragment):
    check(run("s3_bucket_security_missing", hcl), status, addresses, fragment)


def test_only_the_unprotected_bucket_fires():
    hcl = BUCKET + SSE + VERSIONING + PAB + 'resource "aws_s3_bucket" "tmp" {\n  bucket = "acme-tmp"\n}\n'
    check(run("s3_bucket_security_missing", hcl), "fires", ["aws_s3_bucket.tmp"])
