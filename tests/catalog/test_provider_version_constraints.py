import pytest

from drdata.catalog.provider_version_constraints import admits_major, parse_constraint, too_loose
from tests.catalog._cases import check, run

RES = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'


def tf(required_version: str | None, providers: str) -> str:
    rv = f'  required_version = "{required_version}"\n' if required_version else ""
    return f"terraform {{\n{rv}  required_providers {{\n{providers}  }}\n}}\n" + RES


AWS6 = '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 6.0"\n    }\n'

CASES = [
    ("no-required-version", tf(None, AWS6), "fires", ["terraform"], "no required_version"),
    ("provider-without-version", tf(">= 1.5", '    aws = {\n      source = "hashicorp/aws"\n    }\n'), "fires",
     ["terraform.required_providers.aws"], "no version constraint"),
    ("old-lower-bound", tf(">= 1.5", '    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 3.0"\n    }\n'),
     "fires", ["terraform.required_providers.aws"], "admits majors before 5.x"),
    ("terraform-0-12", tf(">= 0.12", AWS6), "fires", ["terraform"], "before 1.0"),
    # The data table's current AWS major is 6: "~> 5.0" shuts it out (the pipeline's lock file has 6.x).
    ("excludes-current-major",
     tf(">= 1.5", '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n'), "fires",
     ["terraform.required_providers.aws"], "excludes aws 6.x"),
    ("old-major-pinned", tf(">= 1.5", '    aws = "~> 4.67"\n'), "fires", ["terraform.required_providers.aws"],
     "excludes aws 6.x"),
    ("pinned", tf(">= 1.5", AWS6), "clear", [], None),
    ("lower-bound-current-major",
     tf(">= 1.4.0", '    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.0"\n    }\n'), "clear", [], None),
    ("range", tf(">= 1.3, < 2.0", '    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.0, < 7.0"\n    }\n'),
     "clear", [], None),
    ("string-shorthand", tf("~> 1.6", '    aws = "~> 6.2"\n'), "clear", [], None),
    # No terraform block: the pipeline's own provider.tf may pin versions; cannot tell.
    ("no-terraform-block", RES, "unknown", [], "no terraform block"),
    ("version-from-variable", tf(">= 1.5", '    aws = {\n      source  = "hashicorp/aws"\n      version = var.v\n    }\n'),
     "unknown", [], "expression"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_provider_version_constraints(hcl, status, addresses, fragment):
    check(run("provider_version_constraints", hcl), status, addresses, fragment)


@pytest.mark.parametrize("text,oldest,loose", [
    (">= 3.0", 5, True), (">= 5.0", 5, False), ("~> 4.0", 5, False), ("> 2.1, != 2.5", 3, True), ("= 3.1", 5, False),
])
def test_too_loose(text, oldest, loose):
    assert too_loose(parse_constraint(text), oldest) is loose


def test_unparseable_constraint():
    assert parse_constraint("latest") is None


@pytest.mark.parametrize("text,major,admitted", [
    ("~> 5.0", 6, False), ("~> 5.0", 5, True), (">= 5.0", 6, True), ("~> 6", 6, True), ("= 5.0.0", 6, False),
    ("~> 5.1.2", 5, True), (">= 4.0, < 6.0", 6, False), ("!= 6.0.0", 6, True), ("latest", 6, None),
])
def test_admits_major(text, major, admitted):
    assert admits_major(text, major) is admitted


@pytest.mark.parametrize("prompt,status", [
    ("Use Terraform v0.12+ (nothing older).", "clear"),
    ("Use Terraform version >= 1.5 and AWS provider 6.", "fires"),
    (None, "fires"),
])
def test_a_pre_1_0_lower_bound_the_prompt_asks_for_is_not_flagged(prompt, status):
    from tests.catalog._cases import run

    assert run("provider_version_constraints", tf(">= 0.12", AWS6), prompt).status == status


AWS5 = '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n'


@pytest.mark.parametrize("prompt,status", [
    ("Use Terraform 1.5+ and the AWS provider 5.x.", "clear"),  # the task asks for 5.x: "~> 5.0" is the ask
    ("Use the AWS provider version 6.0 or higher.", "fires"),  # asks for 6: "~> 5.0" shuts it out
    ("Deploy with the AWS provider for us-east-1.", "fires"),  # names no provider version
    (None, "fires"),
])
def test_a_constraint_on_the_provider_major_the_prompt_asks_for_is_not_flagged(prompt, status):
    assert run("provider_version_constraints", tf(">= 1.5", AWS5), prompt).status == status
