import pytest

from drdata.detectors import registry, run_detector
from drdata.hcl import parse_answer
from tests.catalog._cases import check, run

CASES = [
    # (id, hcl, status, addresses, message fragment)
    ("registry", 'module "net" {\n  source  = "acme/network/aws"\n  version = "1.2.0"\n}\n',
     "fires", ["module.net"], '"acme/network/aws" is a module registry'),
    ("private-registry", 'module "db" {\n  source = "app.terraform.io/acme/db/aws"\n}\n',
     "fires", ["module.db"], "module registry"),
    ("git", 'module "a" {\n  source = "git::https://example.com/infra/a.git?ref=v1"\n}\n',
     "fires", ["module.a"], "git repository"),
    ("github", 'module "b" {\n  source = "github.com/acme/tf-b"\n}\n', "fires", ["module.b"], "GitHub"),
    ("s3", 'module "c" {\n  source = "s3::https://s3.amazonaws.com/acme-mods/c.zip"\n}\n', "fires", ["module.c"], "S3"),
    ("url", 'module "d" {\n  source = "https://example.com/mods/d.zip"\n}\n', "fires", ["module.d"], "URL"),
    # A local folder the answer never shows a file of is code from outside the answer too.
    ("local-folder-not-shown", 'module "e" {\n  source = "./modules/e"\n}\n', "fires", ["module.e"],
     "local folder (modules/e) whose files the answer never shows"),
    ("local-parent-not-shown", 'module "f" {\n  source = "../shared/f"\n}\n', "fires", ["module.f"], None),
    ("no-modules", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "clear", [], None),
    ("mixed", 'module "g" {\n  source = "./g"\n}\nmodule "h" {\n  source = "acme/h/aws"\n}\n',
     "fires", ["module.g", "module.h"], None),
    ("computed-source", 'module "i" {\n  source = var.where\n}\n', "unknown", [], "source is an expression"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_external_module_dependency(hcl, status, addresses, fragment):
    check(run("external_module_dependency", hcl), status, addresses, fragment)


def test_evidence_is_the_source_line():
    out = run("external_module_dependency", 'module "net" {\n  name   = "x"\n  source = "acme/network/aws"\n}\n')
    (f,) = out.findings
    assert f.line == 3 and f.evidence.strip() == 'source = "acme/network/aws"'


def _answer(files: dict[str, str]) -> str:
    return "".join(f"## {name}\n\n```hcl\n{code}```\n\n" for name, code in files.items())


VPC = 'resource "aws_vpc" "this" {\n  cidr_block = var.cidr\n}\nvariable "cidr" {}\n'


@pytest.mark.parametrize("files,status", [
    ({"main.tf": 'module "vpc" {\n  source = "./modules/vpc"\n  cidr = "10.0.0.0/16"\n}\n',
      "modules/vpc/main.tf": VPC}, "clear"),
    # Resolved from the calling file's folder: environments/dev + ../../modules/vpc.
    ({"environments/dev/main.tf": 'module "vpc" {\n  source = "../../modules/vpc"\n}\n',
      "modules/vpc/main.tf": VPC}, "clear"),
    # The answer shows a module, but under another folder name than the call uses.
    ({"main.tf": 'module "vpc" {\n  source = "./modules/vpc_module"\n}\n', "modules/vpc/main.tf": VPC}, "fires"),
])
def test_local_modules_are_supplied_by_the_files_the_answer_shows(files, status):
    outcome = run_detector(registry()["external_module_dependency"], parse_answer(_answer(files), cache=False))
    check(outcome, status)
