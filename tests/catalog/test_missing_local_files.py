import pytest

from drdata.detectors import registry, run_detector
from drdata.hcl import CodeBlock, parse_code_blocks
from tests.catalog._cases import check, run

CASES = [
    ("user-data-file", 'resource "aws_instance" "i" {\n  ami       = "x"\n  user_data = file("${path.module}/init.sh")\n}\n',
     "fires", ["aws_instance.i"], 'file("init.sh")'),
    ("templatefile", 'resource "aws_launch_template" "t" {\n'
     '  user_data = base64encode(templatefile("${path.module}/templates/boot.tpl", { port = 80 }))\n}\n',
     "fires", ["aws_launch_template.t"], "templates/boot.tpl"),
    ("policy-file", 'resource "aws_iam_policy" "p" {\n  policy = file("policies/s3.json")\n}\n', "fires",
     ["aws_iam_policy.p"], "policies/s3.json"),
    ("key-file", 'resource "aws_key_pair" "k" {\n  public_key = file("./id_rsa.pub")\n}\n', "fires", ["aws_key_pair.k"],
     "id_rsa.pub"),
    ("inline-heredoc", 'resource "aws_instance" "i" {\n  ami = "x"\n  user_data = <<-EOT\n    echo hi\n  EOT\n}\n',
     "clear", [], None),
    # The configuration writes the file itself.
    ("local-file-produces", 'resource "local_file" "cfg" {\n  filename = "${path.module}/app.conf"\n  content = "x"\n}\n'
     'resource "aws_s3_object" "o" {\n  bucket = "b"\n  key = "app.conf"\n  etag = filemd5("${path.module}/app.conf")\n}\n',
     "clear", [], None),
    # Lambda packages are lambda_package_missing's subject.
    ("lambda-zip", 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  filename = "fn.zip"\n'
     '  source_code_hash = filebase64sha256("fn.zip")\n}\n', "clear", [], None),
    ("computed-path", 'resource "aws_iam_policy" "p" {\n  policy = file(var.policy_path)\n}\n'
     'variable "policy_path" {\n  type = string\n}\n', "unknown", [], "computed path"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_local_files(hcl, status, addresses, fragment):
    check(run("missing_local_files", hcl), status, addresses, fragment)


MAIN = 'resource "aws_instance" "i" {\n  ami       = "x"\n  user_data = file("${path.module}/scripts/init.sh")\n}\n'


def test_file_supplied_as_a_code_block():
    cfg = parse_code_blocks([CodeBlock(MAIN, 3, "main.tf"), CodeBlock("", 12, "scripts/init.sh")])
    check(run_detector(registry()["missing_local_files"], cfg), "clear")


def test_a_script_shown_in_a_bash_fence_counts_as_supplied():
    from drdata.detectors.registry import registry, run_detector
    from drdata.hcl import parse_answer

    body = '```hcl\nresource "aws_instance" "web" {\n  user_data = file("${path.module}/scripts/boot.sh")\n}\n```\n'
    shown = body + "\n### scripts/boot.sh\n\n```bash\n#!/bin/bash\necho hello\n```\n"
    det = registry()["missing_local_files"]
    assert run_detector(det, parse_answer(body, cache=False)).status == "fires"
    assert run_detector(det, parse_answer(shown, cache=False)).status == "clear"
