"""kms_key_alias_missing: KMS keys no alias points at."""

from __future__ import annotations

from drdata.detectors.helpers import anchor_refs, code_text
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="kms_key_alias_missing",
    number=12,
    theme="reference",
    area="kms",
    title="KMS Key Alias Missing",
    severity="Low",
    rule_set="aws",
    what="An `aws_kms_key` has no `aws_kms_alias` pointing at it.",
    root_cause="The alias is a separate resource that models rarely add.",
    impact="Keys appear as bare ids in the console and in policies; operators cannot tell them apart.",
    fix="Add `aws_kms_alias` with `target_key_id = aws_kms_key.<name>.key_id` and a descriptive `alias/...` name.",
    report_rules=(
        ReportRule(order=120, strong=r"kms (key )?alias|\baliases? for (kms|keys?)|key alias"),
    ),
))


@detector(category="kms_key_alias_missing", reads=("aws_kms_key", "aws_kms_replica_key", "aws_kms_alias"))
def kms_key_alias_missing(cfg: TerraformConfig):
    """Flags each `aws_kms_key` (and `aws_kms_replica_key`) without an `aws_kms_alias` whose
    `target_key_id` refers to it (`.key_id`, `.arn` or `.id`; also `[count.index]`, `each.value`
    over the keys, or through a local).

    When part of the answer did not parse and its text contains an `aws_kms_alias`
    mentioning the key, the result is "cannot tell".
    Why: keys show up as bare ids in the console and in policies; operators cannot tell
    them apart or rotate references by name.
    Fix: add `aws_kms_alias` with `target_key_id = aws_kms_key.<name>.key_id`.
    """
    aliased: set[str] = set()
    for alias in cfg.resources_of("aws_kms_alias"):
        aliased |= anchor_refs(cfg, alias, "target_key_id")
    text = code_text(cfg) if not cfg.complete else ""
    for key in cfg.resources_of("aws_kms_key", "aws_kms_replica_key"):
        if key.address in aliased:
            continue
        if text and "aws_kms_alias" in text and key.address in text:
            yield cannot_tell(key, "an aws_kms_alias for it may be in the unparsed part")
            continue
        yield hit(key, f"{key.address}: no aws_kms_alias targets it", "description")
