import pytest

from drdata.detectors import registry, run_detector
from drdata.hcl import parse_answer
from tests.catalog._cases import check, run

ARCHIVE = '''
data "archive_file" "fn" {
  type        = "zip"
  source_file = "${path.module}/src/handler.py"
  output_path = "${path.module}/handler.zip"
}
resource "aws_lambda_function" "f" {
  filename         = data.archive_file.fn.output_path
  source_code_hash = data.archive_file.fn.output_base64sha256
}
'''

# An archive built from a `source` block whose content is CONTENT.
SOURCED = '''
data "archive_file" "fn" {
  type        = "zip"
  output_path = "${path.module}/handler.zip"
  source {
    content  = CONTENT
    filename = "index.py"
  }
}
resource "aws_lambda_function" "f" {
  filename = data.archive_file.fn.output_path
}
'''

CASES = [
    ("literal-zip-nobody-builds", 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
     '  filename      = "build/handler.zip"\n}\n', "fires", ["aws_lambda_function.f"],
     "'build/handler.zip' is neither built"),
    ("path-module-zip", 'resource "aws_lambda_function" "f" {\n  filename = "${path.module}/fn.zip"\n}\n',
     "fires", ["aws_lambda_function.f"], "'fn.zip' is neither built"),
    ("layer", 'resource "aws_lambda_layer_version" "deps" {\n  layer_name = "deps"\n  filename   = "deps.zip"\n}\n',
     "fires", ["aws_lambda_layer_version.deps"], None),
    # Built by archive_file, but from a source file the answer never shows.
    ("archive-of-a-missing-source", ARCHIVE, "fires", ["aws_lambda_function.f"],
     "built from src/handler.py, which the answer does not include"),
    ("archive-of-inline-source", SOURCED.replace("CONTENT", '"def handler(event, context):\\n    return 1\\n"'),
     "clear", [], None),
    ("archive-source-read-from-a-missing-file", SOURCED.replace("CONTENT", 'file("${path.module}/lambda/index.py")'),
     "fires", ["aws_lambda_function.f"], "lambda/index.py"),
    ("archive-source-rendered-from-a-missing-template",
     SOURCED.replace("CONTENT", 'templatefile("${path.module}/lambda/index.py.tpl", { table = "t" })'),
     "fires", ["aws_lambda_function.f"], "lambda/index.py.tpl"),
    # A hash reads the package at plan time; it builds nothing.
    ("filename-with-hash", 'resource "aws_lambda_function" "f" {\n  filename         = "${path.module}/stub.zip"\n'
     '  source_code_hash = filebase64sha256("${path.module}/stub.zip")\n}\n', "fires", ["aws_lambda_function.f"],
     "its source_code_hash reads a file nothing makes"),
    ("s3-package", 'resource "aws_lambda_function" "f" {\n  s3_bucket = "artifacts"\n  s3_key    = "f.zip"\n}\n',
     "clear", [], None),
    ("container-image", 'resource "aws_lambda_function" "f" {\n  package_type = "Image"\n'
     '  image_uri    = "111122223333.dkr.ecr.us-east-1.amazonaws.com/f:1"\n}\n', "clear", [], None),
    ("archive-matched-by-output-path", '''
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "src"
  output_path = "${path.module}/dist/fn.zip"
}
resource "aws_lambda_function" "f" {
  filename = "${path.module}/dist/fn.zip"
}
''', "fires", ["aws_lambda_function.f"], "built from src"),
    # The archived directory is filled by the answer's own local_file (its source is in the code).
    ("archive-of-a-directory-local-file-writes", '''
resource "local_file" "code" {
  content  = "def handler(event, context):\\n    return 1\\n"
  filename = "${path.module}/lambda_code/index.py"
}
data "archive_file" "fn" {
  type        = "zip"
  source_dir  = "${path.module}/lambda_code"
  output_path = "${path.module}/fn.zip"
  depends_on  = [local_file.code]
}
resource "aws_lambda_function" "f" {
  filename = data.archive_file.fn.output_path
}
''', "clear", [], None),
    # The archived file is named by a reference to the local_file that writes it: the expression's text
    # (`local_file.code.filename`) is not a file name to look for.
    ("archive-source-file-from-a-local-file-reference", '''
resource "local_file" "code" {
  content  = "def handler(event, context):\\n    return 1\\n"
  filename = "${path.module}/index.py"
}
data "archive_file" "fn" {
  type        = "zip"
  source_file = local_file.code.filename
  output_path = "${path.module}/fn.zip"
}
resource "aws_lambda_function" "f" {
  filename = data.archive_file.fn.output_path
}
''', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lambda_package_missing(hcl, status, addresses, fragment):
    check(run("lambda_package_missing", hcl), status, addresses, fragment)


def test_an_archive_of_sources_the_answer_shows_is_a_built_package():
    answer = ("## src/handler.py\n\n```python\ndef handler(event, context):\n    return 1\n```\n\n"
              f"## main.tf\n\n```hcl\n{ARCHIVE}```\n")
    outcome = run_detector(registry()["lambda_package_missing"], parse_answer(answer, cache=False))
    check(outcome, "clear", [], None)


_MODULE = '''
variable "source_path" {
  type = string
}
data "archive_file" "zip" {
  type        = "zip"
  source_dir  = var.source_path
  output_path = "${path.module}/fn.zip"
}
resource "aws_lambda_function" "this" {
  function_name = "fn"
  filename      = data.archive_file.zip.output_path
}
'''


def _module_answer(calls: str, shown: list[str]) -> str:
    files = "".join(f"## {name}\n\n```python\ndef handler(event, context):\n    return 1\n```\n\n" for name in shown)
    return (f"## modules/fn/main.tf\n\n```hcl\n{_MODULE}```\n\n## main.tf\n\n```hcl\n{calls}```\n\n" + files)


@pytest.mark.parametrize("calls,shown,status,fragment", [
    # Each call of the module packages its own directory; every one is shown.
    ('module "a" {\n  source      = "./modules/fn"\n  source_path = "${path.module}/lambda/a"\n}\n'
     'module "b" {\n  source      = "./modules/fn"\n  source_path = "${path.module}/lambda/b"\n}\n',
     ["lambda/a/index.py", "lambda/b/index.py"], "clear", None),
    # One call packages a directory the answer never shows.
    ('module "a" {\n  source      = "./modules/fn"\n  source_path = "${path.module}/lambda/a"\n}\n'
     'module "b" {\n  source      = "./modules/fn"\n  source_path = "${path.module}/lambda/b"\n}\n',
     ["lambda/a/index.py"], "fires", "built from lambda/b"),
])
def test_a_module_packages_what_its_calls_pass(calls, shown, status, fragment):
    outcome = run_detector(registry()["lambda_package_missing"], parse_answer(_module_answer(calls, shown), cache=False))
    check(outcome, status, None, fragment)


def test_a_module_layer_whose_call_passes_an_archive_is_built():
    answer = ('## modules/layer/main.tf\n\n```hcl\nvariable "filename" {\n  type = string\n}\n'
              'resource "aws_lambda_layer_version" "this" {\n  layer_name       = "deps"\n'
              '  filename         = var.filename\n  source_code_hash = filebase64sha256(var.filename)\n}\n```\n\n'
              '## main.tf\n\n```hcl\ndata "archive_file" "layer" {\n  type        = "zip"\n'
              '  source_file = "${path.module}/layer/requirements.txt"\n  output_path = "${path.module}/layer.zip"\n}\n'
              'module "layer" {\n  source   = "./modules/layer"\n  filename = data.archive_file.layer.output_path\n}\n```\n\n'
              '## layer/requirements.txt\n\n```text\nrequests\n```\n')
    cfg = parse_answer(answer, cache=False)
    check(run_detector(registry()["lambda_package_missing"], cfg), "clear", [], None)


@pytest.mark.parametrize("content,status", [
    ('base64decode("UEsDBA==")', "fires"),  # bytes through local_file's UTF-8 `content`: a corrupt zip
    ('"exports.handler = async () => 1;"', "clear"),
])
def test_a_package_local_file_writes_from_base64decode_is_corrupt(content, status):
    hcl = ('resource "local_file" "pkg" {\n  filename = "fn.zip"\n  content  = ' + content + '\n}\n'
           'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  filename      = local_file.pkg.filename\n}\n')
    check(run("lambda_package_missing", hcl), status, ["aws_lambda_function.f"] if status == "fires" else [],
          "corrupt" if status == "fires" else None)
