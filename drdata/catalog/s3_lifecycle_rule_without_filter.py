"""s3_lifecycle_rule_without_filter: lifecycle rules that name neither filter nor prefix."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="s3_lifecycle_rule_without_filter",
    number=40,
    theme="code",
    area="s3",
    title="S3 Lifecycle Rule Without Filter",
    severity="Low",
    rule_set="aws",
    what="An `aws_s3_bucket_lifecycle_configuration` rule has neither a `filter` block nor a `prefix`.",
    root_cause="The older inline `lifecycle_rule` did not need one; models carry that shape over to the split resource.",
    impact="The AWS provider warns that exactly one of filter/prefix must be given and plans to make it an error; plans show perpetual diffs.",
    fix="Add `filter {}` (whole bucket) or a `filter { prefix = \"...\" }`.",
    report_rules=(
        ReportRule(order=60, strong=r"lifecycle.{0,40}\b(filter|prefix)\b|\b(filter|prefix)\b.{0,40}lifecycle"),
        ReportRule(order=160, strong=r"lifecycle[_ ]?(rule|configuration)\w*.{0,30}(missing|without|no)\b"),
    ),
    title_rule=r"lifecycle.*(filter|prefix)|(filter|prefix).*lifecycle",
))


@detector(category="s3_lifecycle_rule_without_filter")
def s3_lifecycle_rule_without_filter(cfg: TerraformConfig):
    """Flags `rule` blocks of aws_s3_bucket_lifecycle_configuration with neither a `filter` block nor `prefix`.

    Why: the AWS provider warns that one of them is required and will make it an error; plans keep diffing.
    Fix: add `filter {}` for the whole bucket, or `filter { prefix = "logs/" }`.
    """
    for r in cfg.resources_of("aws_s3_bucket_lifecycle_configuration"):
        for rule in r.children("rule"):
            if rule.has("filter") or "prefix" in rule.attributes:
                continue
            ident = rule.get("id")
            name = f"\"{ident}\"" if type(ident) is str else "(no id)"
            yield hit(r, f"{r.address}: rule {name} has neither filter nor prefix", address=r.address)
        for dyn in r.children("dynamic"):
            if dyn.labels and dyn.labels[0] == "rule":
                for content in dyn.children("content"):
                    if not (content.has("filter") or "prefix" in content.attributes):
                        yield hit(r, f"{r.address}: dynamic rule has neither filter nor prefix")
