import pytest

from tests.catalog._cases import check, run

KEY = 'resource "aws_kms_key" "data" {\n  description = "data key"\n}\n'

CASES = [
    ("no-alias", KEY, "fires", ["aws_kms_key.data"], "aws_kms_key.data: no aws_kms_alias targets it"),
    ("alias-for-another-key", KEY + 'resource "aws_kms_key" "logs" {\n  description = "logs"\n}\n'
     'resource "aws_kms_alias" "logs" {\n  name          = "alias/logs"\n  target_key_id = aws_kms_key.logs.key_id\n}\n',
     "fires", ["aws_kms_key.data"], None),
    ("alias-with-literal-target", KEY + 'resource "aws_kms_alias" "a" {\n  name          = "alias/data"\n'
     '  target_key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"\n}\n', "fires", ["aws_kms_key.data"], None),
    ("replica-key", 'resource "aws_kms_replica_key" "r" {\n  description = "r"\n  primary_key_arn = "arn:x"\n}\n',
     "fires", ["aws_kms_replica_key.r"], None),
    ("alias-by-key-id", KEY + 'resource "aws_kms_alias" "a" {\n  name          = "alias/data"\n'
     '  target_key_id = aws_kms_key.data.key_id\n}\n', "clear", [], None),
    ("alias-by-arn", KEY + 'resource "aws_kms_alias" "a" {\n  name          = "alias/data"\n'
     '  target_key_id = aws_kms_key.data.arn\n}\n', "clear", [], None),
    ("counted-keys-and-aliases", '''
resource "aws_kms_key" "k" {
  count       = 2
  description = "k${count.index}"
}
resource "aws_kms_alias" "k" {
  count         = 2
  name          = "alias/k${count.index}"
  target_key_id = aws_kms_key.k[count.index].key_id
}
''', "clear", [], None),
    ("for-each-over-keys", '''
resource "aws_kms_key" "k" {
  for_each    = toset(["a", "b"])
  description = each.key
}
resource "aws_kms_alias" "k" {
  for_each      = aws_kms_key.k
  name          = "alias/${each.key}"
  target_key_id = each.value.key_id
}
''', "clear", [], None),
    ("alias-in-unparsed-part", KEY + 'resource "aws_kms_alias" "a" {\n  name = "alias/data" "oops"\n'
     '  target_key_id = aws_kms_key.data.key_id\n}\n', "unknown", [], "may be in the unparsed part"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_kms_key_alias_missing(hcl, status, addresses, fragment):
    check(run("kms_key_alias_missing", hcl), status, addresses, fragment)
