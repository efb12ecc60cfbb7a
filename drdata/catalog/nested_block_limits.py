"""nested_block_limits: more nested blocks than the AWS provider schema allows."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, declare, detector
from drdata.detectors.schema_walk import LIMITS, schema_items
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="nested_block_limits",
    number=46,
    theme="code",
    area="schema",
    title="Nested Block Limits Violated",
    severity="Critical",
    rule_set="aws",
    what="A nested block repeated beyond the schema's max_items, or written twice where the nesting mode allows one.",
    root_cause="Models repeat a block per item where the provider takes one block with a list, or where separate resources exist for the extra items.",
    impact="`terraform validate` fails with 'Too many blocks' (or 'Duplicate block').",
    fix="Merge the blocks into one, or use the separate resource the provider offers for each item.",
    report_rules=(
        ReportRule(order=30, strong=(
            r"too many \w+ blocks|max_?items|only one \w+ block|(duplicate|multiple|repeated|two) \w+ blocks? "
            r"(where|when) (only )?one"
        )),
    ),
    title_rule=r"too many \w+ blocks|max_?items|only one \w+ block",
))


@detector(category="nested_block_limits")
def nested_block_limits(cfg: TerraformConfig):
    """Flags nested blocks of `aws_*` resources and data sources repeated beyond the schema's max_items or
    written twice where the nesting mode allows one (`alias`, `versioning_configuration`, `ebs_block_device`
    is fine many times, `root_block_device` is not). Blocks made by `dynamic` count as many times as a literal
    `for_each` has items; a `dynamic` block next to static blocks of a type already at its limit, with a
    `for_each` that is not a literal, cannot be told. A lone dynamic block of a type allowed once (the usual
    optional-block idiom) is accepted. Too few blocks are reported by missing_required_argument. Other
    providers' types are not checked.

    Why: `terraform validate` fails with "Too many X blocks" (or "Duplicate X block").
    Fix: merge the blocks into one, or use the resource the provider offers for the extra items.
    """
    yield from schema_items(cfg, LIMITS)
