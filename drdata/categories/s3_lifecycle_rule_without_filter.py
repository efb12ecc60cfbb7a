"""s3_lifecycle_rule_without_filter: lifecycle rules that name neither filter nor prefix."""

from __future__ import annotations

from drdata.detectors.registry import detector, hit
from drdata.hcl.model import TerraformConfig


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
