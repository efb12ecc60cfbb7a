import pytest

from tests.catalog._cases import check, run

ALIAS = '  alias {\n    name = "d"\n    zone_id = "z"\n    evaluate_target_health = true\n  }\n'
RECORD = 'resource "aws_route53_record" "r" {\n  zone_id = "z"\n  name = "n"\n  type = "A"\n'

CASES = [
    ("two-alias", RECORD + ALIAS + ALIAS + "}\n", "fires", ["aws_route53_record.r"], "2 `alias` blocks, at most 1"),
    ("nested-twice", 'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n'
     '  versioning_configuration {\n    status = "Enabled"\n  }\n  versioning_configuration {\n'
     '    status = "Enabled"\n  }\n}\n', "fires", ["aws_s3_bucket_versioning.v"], "at most 1"),
    ("literal-dynamic-counts", RECORD + ALIAS + '  dynamic "alias" {\n    for_each = ["x"]\n    content {\n'
     '      name = "d"\n      zone_id = "z"\n      evaluate_target_health = true\n    }\n  }\n}\n', "fires",
     ["aws_route53_record.r"], None),
    ("one-alias", RECORD + ALIAS + "}\n", "clear", [], None),
    ("many-allowed", 'resource "aws_instance" "i" {\n  ami = "a"\n  instance_type = "t3.micro"\n'
     '  ebs_block_device {\n    device_name = "/dev/sdb"\n  }\n  ebs_block_device {\n    device_name = "/dev/sdc"\n'
     '  }\n}\n', "clear", [], None),
    ("lone-dynamic", RECORD + '  dynamic "alias" {\n    for_each = var.on ? [1] : []\n    content {\n'
     '      name = "d"\n      zone_id = "z"\n      evaluate_target_health = true\n    }\n  }\n}\n', "clear", [], None),
    # A static block plus a dynamic one whose for_each is not a literal: may or may not be one too many.
    ("dynamic-next-to-static", RECORD + ALIAS + '  dynamic "alias" {\n    for_each = var.extra\n    content {\n'
     '      name = "d"\n      zone_id = "z"\n      evaluate_target_health = true\n    }\n  }\n}\n', "unknown", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_nested_block_limits(hcl, status, addresses, fragment):
    check(run("nested_block_limits", hcl), status, addresses, fragment)
