import pytest

from tests.catalog._cases import check, run

LB = 'resource "aws_lb" "web" {\n  name = "web"\n}\n'
DB = 'resource "aws_db_instance" "db" {\n  engine = "postgres"\n}\n'
Q = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'

CASES = [
    ("no-outputs", Q, "fires", ["outputs"], "no output"),
    ("lb-not-output", LB + Q + 'output "queue" {\n  value = aws_sqs_queue.q.url\n}\n', "fires", ["aws_lb.web"], "dns_name"),
    ("db-not-output", DB + 'output "lb" {\n  value = "x"\n}\n', "fires", ["aws_db_instance.db"], "endpoint"),
    ("vpc-not-output", 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\noutput "x" {\n  value = 1\n}\n',
     "fires", ["aws_vpc.v"], None),
    ("lb-output", LB + 'output "dns" {\n  value = aws_lb.web.dns_name\n}\n', "clear", [], None),
    ("via-local", DB + 'locals {\n  ep = aws_db_instance.db.endpoint\n}\noutput "ep" {\n  value = local.ep\n}\n',
     "clear", [], None),
    ("no-endpoint-types", Q + 'output "q" {\n  value = aws_sqs_queue.q.arn\n}\n', "clear", [], None),
    ("only-variables", 'variable "x" {\n  type = string\n}\n', "clear", [], None),
    # Cut-off answer: the outputs may be in the part that is missing.
    ("broken-without-outputs", Q + 'resource "aws_sqs_queue" "r" {\n  name = = "r"\n}\n', "unknown", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_outputs(hcl, status, addresses, fragment):
    check(run("missing_outputs", hcl), status, addresses, fragment)


@pytest.mark.parametrize("tail,status", [
    ("```\n", "fires"),  # complete: no output anywhere
    ('output "lb" {\n  value = \n}\n```\n', "unknown"),  # an output block that did not parse
    ('resource "aws_sqs_queue" "r" {\n  name = "r"\n', "unknown"),  # cut off: outputs.tf may have followed
])
def test_a_missing_output_in_an_answer_cut_off_or_partly_unparsed_cannot_be_told(tail, status):
    from tests.catalog._cases import run_md

    out = run_md("missing_outputs", "```hcl\n" + LB + 'output "queue" {\n  value = "x"\n}\n' + tail)
    assert out.status == status, (out.findings, out.reasons)
