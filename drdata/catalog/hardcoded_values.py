"""hardcoded_values: account- and region-specific literals in resources."""

from __future__ import annotations

import re

from drdata.catalog.region_configuration import AZ_RE
from drdata.detectors.helpers import strings_in
from drdata.detectors.registry import Category, ReportRule, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="hardcoded_values",
    number=36,
    theme="code",
    area="variables",
    title="Hard-coded Environment Values",
    severity="Medium",
    rule_set="aws",
    what="Account- and region-specific values written as literals in resources: AMI ids, 12-digit account ids, availability-zone names.",
    root_cause="Models paste concrete values from examples instead of looking them up with data sources.",
    impact="The stack works only in the account and region the values came from; elsewhere AMIs and AZs do not exist and ARNs point at a foreign account.",
    fix="Use `data.aws_ami`, `data.aws_caller_identity`, `data.aws_availability_zones` (or variables) instead of literals.",
    report_rules=(
        ReportRule(order=330, strong=r"hard-?cod\w*|\bstatic (ami|account|az|values?|ids?|arns?)|magic (numbers?|values?)|placeholder values?"),
        ReportRule(order=410, topic=True, strong=(
            r"ami (ids?|mismatch|lookup|selection|availability|region)|\bamis?\b"
            r"|account (ids?|numbers?)|availability zones?|\bazs?\b|\barns?\b|magic (numbers?|values?)|literal values?|placeholder values?"
        )),
    ),
    title_rule=(
        r"hard-?coded (ami|account|availability|az|arn|value)|ami id|account id|static ami"
        r"|availability zones? \(?hard"
    ),
))


AMI_RE = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
# An account id inside an ARN ("arn:aws:iam::123456789012:role/x") or alone as a value.
ARN_ACCOUNT_RE = re.compile(r"arn:aws[\w-]*:[\w-]*:[\w-]*:(\d{12}):")
ACCOUNT_RE = re.compile(r"^\d{12}$")
# Attributes where an AWS-owned account id is the documented value (AMI owners, ELB log delivery accounts).
# Attributes where a bare 12-digit string is an account id (not a threshold or a size).
_ACCOUNT_PATH = re.compile(r"principal|account|policy|source|arn|assume_role", re.I)
_OWNER_ATTRS = {"owners", "owner_id", "executable_users", "filter.values"}


@detector(category="hardcoded_values")
def hardcoded_values(cfg: TerraformConfig):
    """Flags literal AMI ids, 12-digit account ids (in ARNs or alone, e.g. a `principal` or a policy's
    Principal) and availability-zone names in resources, data sources, providers and locals (variable
    defaults are configurable and not flagged; AMI owner filters are the documented use of account ids).

    Why: these values exist in one account or region only; elsewhere the stack fails or points at a stranger.
    Fix: `data.aws_ami`, `data.aws_caller_identity`, `data.aws_availability_zones`, or variables.
    """
    blocks = [*cfg.resources, *cfg.data, *cfg.providers]
    for b in blocks:
        kinds: dict[str, str] = {}
        for path, attr in b.attribute_paths():
            if path in _OWNER_ATTRS or path.endswith("allowed_account_ids"):
                continue
            for s in strings_in(attr.value):
                s = s.strip()
                kind = None
                if AMI_RE.match(s):
                    kind = "AMI id"
                elif AZ_RE.match(s):
                    kind = "availability zone"
                elif ARN_ACCOUNT_RE.search(s) or (ACCOUNT_RE.match(s) and _ACCOUNT_PATH.search(path)):
                    kind = "account id"
                if kind and kind not in kinds:
                    kinds[kind] = path
                    yield hit(b, f"{_addr(b)}: {path} = \"{s[:80]}\" is a literal {kind}", attr)
    for name, attr in cfg.locals.items():
        for s in strings_in(attr.value):
            s = s.strip()
            if AMI_RE.match(s) or ARN_ACCOUNT_RE.search(s):
                from drdata.detectors.registry import hit_at
                yield hit_at(f"local.{name}", "locals", None, attr.line,
                             f"local.{name}: \"{s[:80]}\" is a literal {'AMI id' if s.startswith('ami-') else 'account id'}",
                             attr.source[:200])
                break


def _addr(b) -> str:
    from drdata.detectors.registry import block_address
    return block_address(b)
