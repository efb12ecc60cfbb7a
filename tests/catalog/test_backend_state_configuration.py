import pytest

from tests.catalog._cases import check, run

RES = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
REQ = '  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n'

CASES = [
    ("no-backend", "terraform {\n" + REQ + "}\n" + RES, "fires", ["terraform.backend"], "no backend block"),
    ("literal-backend-with-lock",
     'terraform {\n  backend "s3" {\n    bucket         = "my-tf-state"\n    key            = "app/terraform.tfstate"\n'
     '    region         = "us-east-1"\n    dynamodb_table = "tf-locks"\n  }\n}\n' + RES,
     "fires", ["terraform.backend.s3"], 'bucket = "my-tf-state"'),
    ("literal-backend-no-lock",
     'terraform {\n  backend "s3" {\n    bucket = "my-tf-state"\n    key    = "state"\n  }\n}\n' + RES,
     "fires", ["terraform.backend.s3"], "no state locking"),
    ("local-backend", 'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n' + RES, "fires",
     ["terraform.backend.local"], "local state"),
    ("partial-config", 'terraform {\n' + REQ + '  backend "s3" {}\n}\n' + RES, "clear", [], None),
    # Only locking/encryption written out: nothing that pins the pipeline's bucket.
    ("partial-with-options", 'terraform {\n  backend "s3" {\n    encrypt      = true\n    use_lockfile = true\n  }\n}\n'
     + RES, "clear", [], None),
    ("backend-in-second-block", 'terraform {\n' + REQ + '}\nterraform {\n  backend "s3" {}\n}\n' + RES, "clear", [], None),
    ("cloud-block", 'terraform {\n  cloud {\n    organization = "o"\n  }\n}\n' + RES, "clear", [], None),
    # No terraform block at all: the answer leaves provider.tf/backend.tf to the pipeline.
    ("no-terraform-block", RES, "unknown", [], "no terraform block"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_backend_state_configuration(hcl, status, addresses, fragment):
    check(run("backend_state_configuration", hcl), status, addresses, fragment)
