"""Rules that read what did not parse as text: a broken block hides only what it holds.

Each case is an answer whose second block does not parse (an inline block with commas, which HCL rejects),
and what the rule must say: clear when the broken block cannot hold its failure, "cannot tell" when it can.
"""

import pytest

from drdata.detectors import registry, run_detector
from drdata.hcl import parse_answer

GOOD = ('variable "environment_suffix" {}\nresource "aws_sqs_queue" "q" {\n  name = "q-${var.environment_suffix}"\n'
        '  tags = { Name = "q" }\n}\n')


def broken(body: str, rtype: str = "aws_security_group") -> str:
    return f'resource "{rtype}" "b" {{\n{body}\n  ingress {{ from_port = 443, to_port = 443 }}\n}}\n'


CASES = [
    ("missing_environment_suffix", broken('  name = "web-${var.environment_suffix}"\n  tags = {}'), "clear"),
    ("missing_environment_suffix", broken('  name = "web"\n  tags = {}'), "unknown"),
    ("incomplete_tagging", broken('  name = "web"\n  tags = { Name = "web" }', "aws_lb"), "clear"),
    ("incomplete_tagging", broken('  name = "web"', "aws_lb"), "unknown"),
    ("undefined_reference", broken("  vpc_id = aws_vpc.main.id"), "unknown"),
    ("undefined_reference", broken('  name = "web-${var.environment_suffix}"'), "clear"),
    ("wildcard_iam_permissions", broken('  name = "web"'), "clear"),
    ("wildcard_iam_permissions", broken('  policy = jsonencode({ Action = "s3:*", Resource = "*" })', "aws_iam_policy"),
     "unknown"),
]


@pytest.mark.parametrize("category,block,status", CASES)
def test_a_broken_block_hides_only_what_it_holds(category, block, status):
    cfg = parse_answer(f"```hcl\n{GOOD}{block}```\n", cache=False)
    assert cfg.errors, "the second block must fail to parse"
    outcome = run_detector(registry()[category], cfg)
    assert outcome.status == status, (outcome.status, [f.message for f in outcome.findings], outcome.reasons)
