import pytest

from tests.detectors._ref import check, run

CASES = [
    ("literal-zip-nobody-builds", 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
     '  filename      = "build/handler.zip"\n}\n', "fires", ["aws_lambda_function.f"],
     "'build/handler.zip' is neither built"),
    ("path-module-zip", 'resource "aws_lambda_function" "f" {\n  filename = "${path.module}/fn.zip"\n}\n',
     "fires", ["aws_lambda_function.f"], "'fn.zip' is neither built"),
    ("layer", 'resource "aws_lambda_layer_version" "deps" {\n  layer_name = "deps"\n  filename   = "deps.zip"\n}\n',
     "fires", ["aws_lambda_layer_version.deps"], None),
    ("archive-file-without-hash", '''
data "archive_file" "fn" {
  type        = "zip"
  source_file = "${path.module}/src/handler.py"
  output_path = "${path.module}/handler.zip"
}
resource "aws_lambda_function" "f" {
  filename = data.archive_file.fn.output_path
}
''', "fires", ["aws_lambda_function.f"], "has no source_code_hash"),
    ("archive-file-with-hash", '''
data "archive_file" "fn" {
  type        = "zip"
  source_file = "${path.module}/src/handler.py"
  output_path = "${path.module}/handler.zip"
}
resource "aws_lambda_function" "f" {
  filename         = data.archive_file.fn.output_path
  source_code_hash = data.archive_file.fn.output_base64sha256
}
''', "clear", [], None),
    # The reference IDEAL's fix: a declared package with its hash counts as managed.
    ("filename-with-hash", 'resource "aws_lambda_function" "f" {\n  filename         = "${path.module}/stub.zip"\n'
     '  source_code_hash = filebase64sha256("${path.module}/stub.zip")\n}\n', "clear", [], None),
    ("s3-package", 'resource "aws_lambda_function" "f" {\n  s3_bucket = "artifacts"\n  s3_key    = "f.zip"\n}\n',
     "clear", [], None),
    ("container-image", 'resource "aws_lambda_function" "f" {\n  package_type = "Image"\n'
     '  image_uri    = "111122223333.dkr.ecr.us-east-1.amazonaws.com/f:1"\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lambda_package_missing(hcl, status, addresses, fragment):
    check(run("lambda_package_missing", hcl), status, addresses, fragment)


def test_archive_matched_by_output_path():
    hcl = '''
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "src"
  output_path = "${path.module}/dist/fn.zip"
}
resource "aws_lambda_function" "f" {
  filename = "${path.module}/dist/fn.zip"
}
'''
    check(run("lambda_package_missing", hcl), "fires", ["aws_lambda_function.f"], "has no source_code_hash")
