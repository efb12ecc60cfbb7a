"""lifecycle_misuse: lifecycle blocks that hide security changes or break replacements."""

from __future__ import annotations

import re

from drdata.detectors.helpers import load_table
from drdata.detectors.registry import Category, ReportRule, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="lifecycle_misuse",
    number=42,
    theme="code",
    area="lifecycle",
    title="Lifecycle Meta-Argument Misuse",
    severity="High",
    rule_set="aws",
    what="`lifecycle` settings that hide or break changes: `ignore_changes = all`, ignoring security-relevant attributes (ingress, policies, encryption), `create_before_destroy` on a resource with a fixed unique name.",
    root_cause="Models add lifecycle blocks to silence drift or replacement errors without weighing what they suppress.",
    impact="Security fixes never reach the deployed resource, or replacements fail because the new resource's name is still taken.",
    fix="Ignore only attributes that are legitimately managed elsewhere; use `name_prefix` (or a random suffix) with `create_before_destroy`.",
    tables=("code_lifecycle",),
    report_rules=(
        ReportRule(order=170, strong=r"ignore[_ ]changes|create[_ ]before[_ ]destroy|lifecycle (block|meta|rules? misuse|misuse|management)"),
    ),
    title_rule=r"ignore_changes|create_before_destroy|lifecycle (block|meta|misuse)",
))


_UNIQUE_NAME_ATTRS = ("name", "bucket", "function_name", "identifier", "cluster_identifier", "role_name",
                      "replication_group_id", "cluster_id", "table_name")
# Name parts that change on every replacement, making create_before_destroy safe.
_VARYING = re.compile(r"random_|uuid\(|timestamp\(|\bid\b|\.id\b|\.hex\b|\.result\b|time_")


def _ignored(attr) -> list[str] | str:
    src = str(attr.source).strip()
    if src == "all" or src == '"all"':
        return "all"
    return [s.strip().strip('"') for s in re.findall(r"[\w.\[\]\"]+", src.strip("[]")) if s.strip()]


@detector(category="lifecycle_misuse")
def lifecycle_misuse(cfg: TerraformConfig):
    """Flags `ignore_changes = all`, `ignore_changes` on security-relevant attributes (data table), and
    `create_before_destroy = true` on a resource whose unique name is fixed (no name_prefix, no random part).
    `prevent_destroy` is left to deletion_protection_enabled.

    Why: ignored security settings never reach the deployed resource; a replacement created before the old
    one is destroyed collides on the fixed name.
    Fix: ignore only attributes managed elsewhere; use name_prefix or a random suffix with create_before_destroy.
    """
    table = load_table("code_lifecycle")
    security = set(table["security_attributes"])
    unique_types = set(table["unique_name_types"])
    for r in cfg.resources:
        for lc in r.children("lifecycle"):
            attr = lc.attributes.get("ignore_changes")
            if attr is not None:
                ig = _ignored(attr)
                if ig == "all":
                    yield hit(r, f"{r.address}: lifecycle ignore_changes = all hides every change", attr.name)
                else:
                    bad = sorted({a.split(".")[0].split("[")[0] for a in ig} & security)
                    if bad:
                        yield hit(r, f"{r.address}: lifecycle ignore_changes hides security settings "
                                     f"({', '.join(bad)})", attr.name)
            if lc.get("create_before_destroy") is True and r.resource_type in unique_types:
                for n in _UNIQUE_NAME_ATTRS:
                    na = r.attributes.get(n)
                    if na is None:
                        continue
                    if not _VARYING.search(str(na.source)):
                        yield hit(r, f"{r.address}: create_before_destroy with fixed {n} = {na.source[:80]} "
                                     "(the replacement's name is still taken)", na.name)
                    break
