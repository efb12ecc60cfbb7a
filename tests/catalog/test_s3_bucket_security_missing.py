import pytest

from tests.catalog._cases import check, run

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


SECURED = BUCKET + SSE + PAB
TRAIL = 'resource "aws_cloudtrail" "t" {\n  name           = "t"\n  s3_bucket_name = aws_s3_bucket.logs.id\n}\n'
FLOW = ('resource "aws_flow_log" "f" {\n  vpc_id               = "vpc-1"\n  traffic_type         = "ALL"\n'
        '  log_destination_type = "s3"\n  log_destination      = aws_s3_bucket.logs.arn\n}\n')


def bucket_policy(principal: str) -> str:
    return ('resource "aws_s3_bucket_policy" "logs" {\n  bucket = aws_s3_bucket.logs.id\n  policy = jsonencode({\n'
            '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "s3:PutObject",\n'
            f'      Principal = {{ Service = "{principal}" }}, Resource = "${{aws_s3_bucket.logs.arn}}/*" }}]\n'
            '  })\n}\n')


BROKEN_POLICY = ('resource "aws_s3_bucket_policy" "logs" {{\n  bucket = aws_s3_bucket.logs.id\n  policy = jsonencode({{\n'
                 '    Statement = [\n      {{ Effect = "Allow", Principal = {{ Service = "{0}.amazonaws.com" }} }}\n'
                 '      {{ Effect = "Allow", Action = "s3:PutObject" }}\n    ]\n  }})\n}}\n')

DELIVERY_CASES = [
    ("trail-bucket-without-policy", SECURED + VERSIONING + TRAIL, "fires", ["aws_s3_bucket.logs"],
     "aws_s3_bucket.logs: receives CloudTrail but has no bucket policy for cloudtrail.amazonaws.com"),
    ("trail-bucket-with-policy", SECURED + VERSIONING + TRAIL + bucket_policy("cloudtrail.amazonaws.com"), "clear",
     [], None),
    # A policy for another principal is not the one the flow-log delivery needs.
    ("flow-log-bucket-wrong-principal", SECURED + FLOW + bucket_policy("vpc-flow-logs.amazonaws.com"), "fires",
     ["aws_s3_bucket.logs"], "has a bucket policy that does not grant it for delivery.logs.amazonaws.com"),
    # Only flow logs land there: versioning is not asked for.
    ("operational-log-bucket-needs-no-versioning", SECURED + FLOW + bucket_policy("delivery.logs.amazonaws.com"),
     "clear", [], None),
    # CloudTrail appends log files under unique keys too: its bucket is not asked for versioning.
    ("trail-bucket-needs-no-versioning", SECURED + TRAIL + bucket_policy("cloudtrail.amazonaws.com"), "clear",
     [], None),
    # A bucket that also holds the answer's own data keeps needing it.
    ("data-bucket-needs-versioning", SECURED, "fires", ["aws_s3_bucket.logs"], "aws_s3_bucket.logs: no versioning"),
    # A bucket policy that does not parse (no comma between two statements) is read as text.
    ("unparsed-policy-names-the-service", SECURED + VERSIONING + TRAIL + BROKEN_POLICY.format("cloudtrail"), "clear",
     [], None),
    ("unparsed-policy-names-another-service", SECURED + VERSIONING + TRAIL + BROKEN_POLICY.format("config"), "fires",
     ["aws_s3_bucket.logs"], "a bucket policy that does not grant it for cloudtrail.amazonaws.com"),
    ("policy-from-a-variable", SECURED + VERSIONING + TRAIL + 'resource "aws_s3_bucket_policy" "p" {\n'
     '  bucket = aws_s3_bucket.logs.id\n  policy = var.policy\n}\nvariable "policy" {}\n', "unknown", [],
     "its bucket policy comes from a variable"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in DELIVERY_CASES],
                         ids=[c[0] for c in DELIVERY_CASES])
def test_log_destinations_need_the_delivering_service_in_their_policy(hcl, status, addresses, fragment):
    check(run("s3_bucket_security_missing", hcl), status, addresses, fragment)
