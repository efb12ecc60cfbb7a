"""variable_quality: unused, untyped, undocumented or unvalidated input variables."""

from __future__ import annotations

import re

from drdata.catalog.region_configuration import REGION_VARS
from drdata.detectors.helpers import module_dir, variable_uses
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="variable_quality",
    number=34,
    theme="code",
    area="variables",
    title="Variable Quality",
    severity="Medium",
    rule_set="aws",
    what="Input variables that are never used, have no type or no description, or document a fixed set of values without a `validation` block enforcing it.",
    root_cause="Variables are declared up front from a template and not reconciled with the code written afterwards.",
    impact="Dead or untyped inputs mislead operators and accept values that fail only at apply time.",
    fix="Remove unused variables; give each a `type` and `description`; add `validation` for enumerated values.",
    report_rules=(
        ReportRule(order=570, topic=True, strong=r"variables?|validation|inputs?|defaults?|descriptions?|locals?|parameteri[sz]\w*|configurable|tfvars"),
    ),
    title_rule=(
        r"unused variable|variable (validation|description|type)|missing validation"
        r"|input validation|variables? (without|lack|missing)"
    ),
))


# Covered by other categories: an unused region variable (region_configuration), the suffix variable
# (missing_environment_suffix).
_ELSEWHERE = set(REGION_VARS) | {"environment_suffix"}
# A description that lists the allowed values: "(dev, staging, prod)", "one of: ...", "Valid values are ...".
_ENUM = re.compile(
    r"\b(one of|valid values|allowed values|must be (either|one of))\b"
    r"|\(\s*[\w.-]+\s*(?:,|/|\||\bor\b)\s*[\w.-]+(?:\s*(?:,|/|\||\bor\b)\s*[\w.-]+)*\s*\)",
    re.I)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_REGIONISH = re.compile(r"(?:^|_)regions?$")

# "e.g. dev, staging, prod" gives examples, not the allowed set.
_EXAMPLES = re.compile(r"\be\.?g\.?\b|for example|such as|\blike\b|\bex:", re.I)


@detector(category="variable_quality")
def variable_quality(cfg: TerraformConfig):
    """Flags variables that nothing references, variables without a type or description, and variables whose
    description enumerates the allowed values but that have no validation block.

    A variable unused in a truncated answer is "cannot tell": the code using it may be in the lost part; so is
    one in an answer that shows variables but no resource (the code using them is not shown), and one whose
    name is no identifier (`iam*user_name`: markdown mangled the text, so its uses cannot be matched).
    Why: dead inputs mislead operators; untyped or unvalidated ones accept values that fail only at apply.
    Fix: remove unused variables; add `type`, `description` and a `validation` block for enumerations.
    """
    uses = variable_uses(cfg)
    shows_provider = any(p.labels and p.labels[0] == "aws" for p in cfg.providers)
    for v in cfg.variables:
        name = v.labels[0]
        addr = f"var.{name}"
        if name not in uses.get(module_dir(v.file), set()) and name not in _ELSEWHERE:
            if not (cfg.resources or cfg.modules):
                yield cannot_tell(v, "the answer shows no resource or module that could use it")
            elif not _IDENTIFIER.fullmatch(name):
                yield cannot_tell(v, f"{addr} is not a valid identifier (mangled text); its uses cannot be matched")
            elif cfg.truncated:
                # The code that would use it may be in the part of the answer that was cut off.
                yield cannot_tell(v, "declared but not used in the part of the answer that was not cut off")
            elif _REGIONISH.search(name) and not shows_provider:
                # The provider blocks the answer leaves out (provider.tf) are where region variables are read.
                yield cannot_tell(v, "a region variable, and the answer shows no provider block that would read it")
            else:
                yield hit(v, f"{addr}: declared but never used")
        missing = [k for k in ("type", "description") if k not in v.attributes]
        if missing:
            yield hit(v, f"{addr}: no {' and no '.join(missing)}")
        desc = v.get("description")
        if isinstance(desc, str) and _ENUM.search(desc) and not _EXAMPLES.search(desc) \
                and not v.children("validation"):
            yield hit(v, f"{addr}: description lists allowed values (\"{desc[:60]}\") but no validation block",
                      "description")
