import pytest

from drdata.detectors.registry import FIRES
from tests.catalog._cases import answer, check, run, run_md

BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "app-logs"\n}\n'

CASES = [
    ("unclosed-string", 'resource "aws_s3_bucket" "b" {\n  bucket = "oops\n}\n', "fires", None, "does not parse"),
    ("duplicate-attribute", 'resource "aws_sqs_queue" "q" {\n  name = "a"\n  name = "b"\n}\n',
     "fires", ["aws_sqs_queue.q"], "`name` assigned twice"),
    ("duplicate-attribute-nested",
     'resource "aws_instance" "i" {\n  ami = "x"\n  root_block_device {\n    encrypted = true\n    encrypted = false\n'
     '  }\n}\n', "fires", ["aws_instance.i"], "in `root_block_device`"),
    ("duplicate-resource-one-file", BUCKET + 'resource "aws_s3_bucket" "logs" {\n  bucket = "other"\n}\n',
     "fires", ["aws_s3_bucket.logs"], "declared 2 times"),
    ("missing-comma-in-list", 'locals {\n  azs = [\n    "a"\n    "b"\n  ]\n}\n', "fires", None, "does not parse"),
    ("clean", BUCKET + 'variable "name" {\n  type = string\n}\n', "clear", [], None),
    ("identical-block-twice", BUCKET + BUCKET, "clear", [], None),
    ("distinct-names", BUCKET + 'resource "aws_s3_bucket" "data" {\n  bucket = "app-data"\n}\n', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hcl_syntax_error(hcl, status, addresses, fragment):
    check(run("hcl_syntax_error", hcl), status, addresses, fragment)


VAR = 'variable "region" {\n  type = string\n}\n'
VAR2 = 'variable "region" {\n  type    = string\n  default = "us-east-1"\n}\n'

MD_CASES = [
    # The same variable in two differently named files: both are loaded.
    ("var-in-two-files", [("variables.tf", VAR), ("main.tf", VAR2)], "fires", ["var.region"]),
    ("local-in-two-files", [("a.tf", 'locals {\n  p = "x"\n}\n'), ("b.tf", 'locals {\n  p = "y"\n}\n')],
     "fires", ["local.p"]),
    ("local-twice-in-one-file", [("main.tf", 'locals {\n  p = "x"\n}\nlocals {\n  p = "y"\n}\n')], "fires",
     ["local.p"]),
    ("local-twice-in-one-block", [("main.tf", 'locals {\n  p = "x"\n  p = "x"\n}\n')], "fires", ["local.p"]),
    ("local-in-a-revised-file", [("locals.tf", 'locals {\n  p = "x"\n}\n'), ("locals.tf", 'locals {\n  p = "y"\n}\n')],
     "clear", []),
    ("local-in-an-excerpt", [("locals.tf", 'locals {\n  p = "x"\n  q = 1\n}\n'), (None, 'locals {\n  p = "y"\n}\n')],
     "clear", []),
    # variables.tf shown again later with a change: a revision of one file, not a second declaration.
    ("revised-file", [("variables.tf", VAR), ("variables.tf", VAR2)], "clear", []),
    # An unnamed excerpt quoting a block of a named file is explanation.
    ("excerpt", [("variables.tf", VAR), (None, VAR2)], "clear", []),
    # Local modules have their own namespace.
    ("module-namespaces", [("variables.tf", VAR), ("modules/net/variables.tf", VAR2)], "clear", []),
]


@pytest.mark.parametrize("files,status,addresses", [c[1:] for c in MD_CASES], ids=[c[0] for c in MD_CASES])
def test_hcl_syntax_error_across_files(files, status, addresses):
    check(run_md("hcl_syntax_error", answer(files)), status, addresses)


def test_parse_error_fires_not_unknown():
    # Its subject is the parse error itself: never "unknown" because of it, and the line is the answer's.
    md = answer({"main.tf": BUCKET + 'resource "aws_sqs_queue" "q" {\n  name = = "x"\n}\n'})
    out = run_md("hcl_syntax_error", md)
    assert out.status == FIRES
    lines = md.split("\n")
    assert all("name = =" in lines[f.line - 1] for f in out.findings), [(f.line, f.message) for f in out.findings]


def test_a_forgotten_closing_fence_is_not_truncation():
    # An open last fence whose code is complete: the answer only forgot the closing fence.
    check(run_md("hcl_syntax_error", answer({"main.tf": BUCKET}, tail="")), "clear")


def test_truncated_mid_block_still_is_truncation():
    # The last fence stops inside a block: the answer was cut off (the missing brace is the syntax error).
    from drdata.hcl import parse_answer

    cut = answer({"main.tf": BUCKET.rsplit("}", 1)[0]}, tail="")
    assert parse_answer(cut, cache=False).truncated
    check(run_md("hcl_syntax_error", cut), "fires", None, "missing '}'")
