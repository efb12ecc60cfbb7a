"""The shipped AWS provider schema extract, its compact form, and its regeneration."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from drdata.terraform.schema import SCHEMA_FILE, attr_flags, compact_block, compact_schema, load_schema, nearest
from drdata.terraform.tool import TerraformUnavailable, find_toolchain


def _toolchain():
    try:
        return find_toolchain()
    except TerraformUnavailable:
        return None


def test_shipped_extract_records_its_versions_and_is_small():
    s = load_schema()
    assert s.provider_version and s.terraform_version
    assert len(s.resources) > 1000 and len(s.data_sources) > 400
    assert SCHEMA_FILE.stat().st_size < 400_000


def test_shipped_extract_keeps_flags_blocks_and_limits():
    s = load_schema()
    bucket = s.block_of("managed", "aws_s3_bucket")
    assert attr_flags(bucket["a"]["bucket"]) == "oc"
    assert "d" in attr_flags(bucket["a"]["acl"])  # deprecated since v4
    assert attr_flags(bucket["a"]["arn"]) == "c"  # computed only
    sg = s.block_of("managed", "aws_security_group")
    flags, obj = sg["a"]["ingress"]  # an attribute that may be written as blocks
    assert "o" in flags and "from_port" in obj["a"]
    alias = s.block_of("managed", "aws_route53_record")["b"]["alias"]
    assert alias[0] == "list" and alias[2] == 1  # nesting mode, max_items
    assert "name" in s.block_of("data", "aws_region")["a"]
    assert s.block_of("data", "aws_s3_bucket_object") is not None
    assert s.block_of("managed", "aws_lambda_functions") is None


def test_compact_block_recurses_and_marks_modes():
    raw = {"attributes": {"id": {"type": "string", "computed": True},
                          "name": {"type": "string", "required": True},
                          "old": {"type": "string", "optional": True, "deprecated": True},
                          "rules": {"type": ["list", ["object", {"port": "number"}]], "optional": True}},
           "block_types": {"inner": {"nesting_mode": "list", "max_items": 1, "min_items": 1,
                                     "block": {"attributes": {"x": {"type": "bool", "optional": True}},
                                               "deprecated": True}}}}
    assert compact_block(raw) == {
        "a": {"id": "c", "name": "r", "old": "od", "rules": ["o", {"a": {"port": "o"}}]},
        "b": {"inner": ["list", 1, 1, {"a": {"x": "o"}, "d": 1}]},
    }


def test_compact_schema_refuses_another_provider():
    with pytest.raises(ValueError, match="no provider"):
        compact_schema({"provider_schemas": {"registry.terraform.io/hashicorp/google": {}}})


def test_nearest_name():
    names = load_schema().data_sources
    assert nearest("aws_ami_id", names) == "aws_ami_ids"
    assert nearest("completely_unrelated_thing", names) is None


@pytest.mark.skipif(_toolchain() is None, reason="terraform or the aws provider mirror is not installed")
def test_update_regenerates_the_shipped_extract_byte_for_byte(tmp_path):
    tc = _toolchain()
    shipped = json.loads(gzip.decompress(SCHEMA_FILE.read_bytes()))
    if shipped["provider_version"] not in tc.aws_versions:
        pytest.skip(f"the mirror lacks aws {shipped['provider_version']}")
    out = tmp_path / "schema.json.gz"
    res = subprocess.run([sys.executable, "-m", "drdata.cli.main", "schema", "update", "-o", str(out),
                          "--provider-version", shipped["provider_version"]], capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["resources"] == len(shipped["resources"])
    assert out.read_bytes() == SCHEMA_FILE.read_bytes()


def test_update_without_a_mirror_says_what_is_missing(tmp_path):
    res = subprocess.run([sys.executable, "-m", "drdata.cli.main", "schema", "update", "-o",
                          str(tmp_path / "s.json.gz"), "--mirror", str(tmp_path)], capture_output=True, text=True)
    assert res.returncode == 2
    assert "holds no hashicorp/aws provider" in res.stderr or "terraform not found" in res.stderr
    assert not (tmp_path / "s.json.gz").exists()
