"""terraform as the oracle: an answer as files, terraform's verdict mapped back to the answer, --terraform-validate."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from drdata.hcl import parse_answer
from drdata.terraform.tool import TerraformUnavailable, find_toolchain
from drdata.terraform.validate import (
    OVERRIDE_FILE,
    VerdictCache,
    _init_problems,
    answer_module,
    undeclared_address,
    validate_answer,
)
from tests.factory import make_task


def _toolchain():
    try:
        return find_toolchain()
    except TerraformUnavailable:
        return None


needs_terraform = pytest.mark.skipif(_toolchain() is None, reason="terraform or the aws provider mirror is missing")

BROKEN = '''Two files.

## lib/main.tf

```hcl
resource "aws_s3_bucket" "b" {
  bucket_name = "b"
}
```

## lib/outputs.tf

```hcl
output "arn" {
  value = aws_s3_bucket.gone.arn
}
```
'''

FIXED = '''## lib/main.tf

```hcl
resource "aws_s3_bucket" "b" {
  bucket = "b"
}

output "arn" {
  value = aws_s3_bucket.b.arn
}
```
'''


def test_answer_module_lays_out_the_files_the_answer_names():
    m = answer_module(parse_answer(BROKEN, cache=False), "5.100.0")
    assert m.runnable and m.root == "lib"
    assert set(m.files) == {"lib/main.tf", "lib/outputs.tf", f"lib/{OVERRIDE_FILE}"}
    assert 'version = "5.100.0"' in m.files[f"lib/{OVERRIDE_FILE}"]
    # Line 2 of lib/main.tf is line 7 of the markdown answer.
    assert m.answer_line("lib/main.tf", 2) == ("lib/main.tf", 7)


def test_unnamed_blocks_and_repeated_files():
    md = "```hcl\nvariable \"a\" {}\n```\n\ntext\n\n```hcl\nvariable \"b\" {}\n```\n"
    m = answer_module(parse_answer(md, cache=False))
    assert set(m.files) == {"_unnamed_1.tf", "_unnamed_2.tf"} and m.root == ""


@pytest.mark.parametrize("hcl,reason", [
    ('resource "random_id" "r" {\n  byte_length = 4\n}\n', "random_id of another provider"),
    ('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', "not from a local folder"),
    ('terraform {\n  required_providers {\n    tls = { source = "hashicorp/tls" }\n  }\n}\n', "requires provider tls"),
])
def test_not_runnable_answers_say_why(hcl, reason):
    m = answer_module(parse_answer(f"```hcl\n{hcl}```\n", cache=False))
    assert not m.runnable and reason in m.reason


def test_undeclared_addresses_are_read_from_terraform_details():
    assert undeclared_address("Reference to undeclared resource",
                              'A managed resource "aws_s3_bucket" "x" has not been declared in the root module.'
                              ) == "aws_s3_bucket.x"
    assert undeclared_address("Reference to undeclared input variable",
                              'An input variable with the name "env" has not been declared.') == "var.env"
    assert undeclared_address("Reference to undeclared resource",
                              'A data resource "aws_region" "r" has not been declared in module.x.') == "data.aws_region.r"
    assert undeclared_address("Unsupported argument", "whatever") is None


def test_init_errors_are_read_from_plain_text():
    text = ("\nError: Duplicate resource \"aws_s3_bucket\" configuration\n\n  on main.tf line 4:\n"
            "   4: resource \"aws_s3_bucket\" \"b\" {\n\nA aws_s3_bucket resource named \"b\" was already declared.\n")
    (d,) = _init_problems(text)
    assert d["summary"].startswith("Duplicate resource") and d["range"] == {"filename": "main.tf",
                                                                            "start": {"line": 4}}


@needs_terraform
def test_terraform_verdict_maps_back_to_the_answer_and_is_cached(tmp_path):
    tc = _toolchain()
    store = VerdictCache(tmp_path / "verdicts")
    cfg = parse_answer(BROKEN, cache=False)
    v = validate_answer(cfg, tc, cache=store, state_dir=tmp_path / "state")
    assert v.status == "invalid" and not v.cached
    by_summary = {d.summary: d for d in v.errors()}
    unsupported = by_summary["Unsupported argument"]
    assert (unsupported.file, unsupported.line, unsupported.address) == ("lib/main.tf", 7, "aws_s3_bucket.b")
    undeclared = by_summary["Reference to undeclared resource"]
    assert undeclared.address == "output.arn" and undeclared.undeclared == "aws_s3_bucket.gone"
    again = validate_answer(cfg, tc, cache=store, state_dir=tmp_path / "state")
    assert again.cached and [(d.summary, d.line, d.address) for d in again.errors()] == \
        [(d.summary, d.line, d.address) for d in v.errors()]
    ok = validate_answer(parse_answer(FIXED, cache=False), tc, cache=store, state_dir=tmp_path / "state")
    assert ok.status == "valid"


@needs_terraform
def test_label_terraform_validate_records_terraform_as_a_category(tmp_path):
    make_task(tmp_path / "corpus", "T001", model=BROKEN, ideal=FIXED)
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-m", "drdata.cli.main", "label", str(tmp_path / "corpus"), "-o", str(out),
                          "--terraform-validate", "-j", "1"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    labels = pd.read_parquet(out / "labels.parquet").set_index("category")
    assert labels.loc["terraform_validate", "status"] == "fixed"
    assert labels.loc["unsupported_argument", "status"] == "fixed"
    findings = pd.read_parquet(out / "findings.parquet")
    tv = findings[findings["category"] == "terraform_validate"]
    assert set(tv["side"]) == {"model"} and "aws_s3_bucket.b" in set(tv["address"])
    assert json.loads((out / "run.json").read_text())["terraform_validate"] is True


def test_label_terraform_validate_without_terraform_says_what_is_missing(tmp_path):
    make_task(tmp_path / "corpus", "T001")
    env = dict(os.environ, DRDATA_TERRAFORM=str(tmp_path / "no-terraform"))
    res = subprocess.run([sys.executable, "-m", "drdata.cli.main", "label", str(tmp_path / "corpus"), "-o",
                          str(tmp_path / "out"), "--terraform-validate"], capture_output=True, text=True, env=env)
    assert res.returncode == 2
    assert "--terraform-validate: terraform not found" in res.stderr


def test_label_without_the_option_has_no_terraform_rows(tmp_path):
    from drdata.labeling.batch import label_corpus

    make_task(tmp_path / "corpus", "T001")
    run = label_corpus(tmp_path / "corpus", jobs=1, progress=False)
    assert "terraform_validate" not in set(run.labels["category"])


def test_lambda_packages_stand_in_only_on_request():
    md = ("## main.tf\n\n```hcl\nresource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n"
          "  role = \"r\"\n  filename = \"${path.module}/build/f.zip\"\n"
          "  source_code_hash = filebase64sha256(\"build/f.zip\")\n}\n```\n")
    cfg = parse_answer(md, cache=False)
    assert "build/f.zip" not in answer_module(cfg).files
    assert answer_module(cfg, lambda_packages=True).files["build/f.zip"] == ""


def test_a_block_of_arguments_only_is_a_variables_file():
    md = "```hcl\nresource \"aws_sqs_queue\" \"q\" {}\n```\n\nExample values:\n\n```hcl\nenv = \"prod\"\n```\n"
    m = answer_module(parse_answer(md, cache=False))
    assert sorted(m.files) == ["_unnamed_1.tf", "_unnamed_2.tfvars"]
