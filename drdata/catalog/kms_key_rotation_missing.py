"""Symmetric customer managed KMS keys without automatic rotation."""

from __future__ import annotations

from drdata.detectors.helpers import UNRESOLVED, attr_value, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="kms_key_rotation_missing",
    number=17,
    theme="services",
    area="kms",
    title="KMS Key Rotation Missing",
    severity="High",
    rule_set="aws",
    what="A symmetric customer managed KMS key is created without `enable_key_rotation = true`.",
    root_cause="Rotation is off by default in the API and models copy the minimal `aws_kms_key` example.",
    impact="Key material never changes, widening the blast radius of a key compromise; CIS AWS Foundations 3.8 fails.",
    fix="Set `enable_key_rotation = true` on every symmetric `aws_kms_key`.",
    report_rules=(
        ReportRule(order=130, strong=r"(key|kms)[_ ]rotation|rotation"),
    ),
    title_rule=r"key rotation|rotation.{0,20}(kms|key)|enable_key_rotation",
))


@detector(category="kms_key_rotation_missing")
def kms_key_rotation_missing(cfg: TerraformConfig):
    """Flags symmetric aws_kms_key resources without enable_key_rotation = true.

    Why: rotation is off by default; unrotated key material widens the impact of a compromise (CIS 3.8).
    Asymmetric and HMAC keys cannot rotate automatically and are not flagged.
    Fix: enable_key_rotation = true.
    """
    for key in cfg.resources_of("aws_kms_key"):
        spec = attr_value(cfg, key, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
        usage = attr_value(cfg, key, "key_usage", "ENCRYPT_DECRYPT")
        if spec is UNRESOLVED or usage is UNRESOLVED:
            yield cannot_tell(key, "key spec or usage comes from an unresolved expression")
            continue
        if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
            continue
        if attr_value(cfg, key, "custom_key_store_id") not in (None,) or "xks_key_id" in key.attributes:
            continue  # keys in custom key stores cannot rotate automatically
        v = attr_value(cfg, key, "enable_key_rotation")
        if v is UNRESOLVED:
            yield cannot_tell(key, "enable_key_rotation comes from an unresolved expression")
        elif truthy(v) is not True:
            state = "absent" if v is None else f"= {key.attributes['enable_key_rotation'].source.strip()}"
            yield hit(key, f"{key.address}: enable_key_rotation {state}", "enable_key_rotation")
