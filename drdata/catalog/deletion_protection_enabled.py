"""deletion_protection_enabled: resources that `terraform destroy` cannot remove."""

from __future__ import annotations

import re

from drdata.detectors.helpers import bucket_writers, is_unknown, resolve, versioning_state
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Attribute, Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="deletion_protection_enabled",
    number=4,
    theme="reference",
    area="teardown",
    title="Deletion Protection Enabled",
    severity="High",
    rule_set="convention",
    what="A resource is protected against destruction (`deletion_protection`, `prevent_destroy`, a required final snapshot), so the stack cannot be torn down.",
    root_cause="Models copy production hardening defaults without weighing that test stacks must be destroyed after every run.",
    impact="`terraform destroy` fails or leaves resources behind; CI cleanup breaks and costs accumulate.",
    fix="Set `deletion_protection = false` (or make it a variable defaulting to false), `skip_final_snapshot = true`, and drop `prevent_destroy`.",
    report_rules=(
        ReportRule(order=180, strong=(
            r"deletion[_ ]protection|prevent[_ ]destroy|final[_ ]snapshot|force[_ ]destroy|\b(teardown|tear down|destroyable)\b"
            r"|(cleanup|clean-?up|destroy|deletion)( issues?| blocked| problems?| fail\w*)|(cannot|can'?t|unable to) (be )?(destroy|delete|clean)"
            r"|retain(ed)? on delete|removal polic"
        )),
    ),
))


# attribute -> the value that blocks destruction
_BLOCKING = {
    "deletion_protection": True,
    "enable_deletion_protection": True,
    "deletion_protection_enabled": True,
    "skip_final_snapshot": False,
}
# Types whose skip_final_snapshot defaults to false: left out, destroy fails without a snapshot name.
_SNAPSHOT_DEFAULT_FALSE = ("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster")
_CONDITIONAL = re.compile(r"\?[^:]*:")
_COMPARISON = re.compile(r"==|!=")


def _as_bool(value):
    # Terraform converts "true"/"false" strings for bool arguments.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def _may_block(cfg: TerraformConfig, attr: Attribute, blocking: bool) -> bool | None:
    """Whether the setting blocks destruction in some deployment: True, False, or None (cannot tell)."""
    value = _as_bool(resolve(cfg, attr.value))
    if not is_unknown(value):
        if value is blocking:
            return True
        if not isinstance(attr.value, Expr) or not (_CONDITIONAL.search(attr.source)
                                                      or _COMPARISON.search(attr.source)):
            return False
    text = attr.source
    if _CONDITIONAL.search(text):
        # `var.env == "prod" ? true : false`: protected in some deployments is protected.
        branches = re.split(r"\?|:", text)[1:]
        literal = "true" if blocking else "false"
        if any(b.strip().strip("()") == literal for b in branches):
            return True
    elif _COMPARISON.search(text) and not re.search(r"\w+\(", text):
        return True  # a comparison is true in some deployment and false in another
    return None if is_unknown(value) else False


@detector(category="deletion_protection_enabled",
          reads=("deletion_protection", "enable_deletion_protection", "deletion_protection_enabled",
                 "skip_final_snapshot", "prevent_destroy", "force_destroy", *_SNAPSHOT_DEFAULT_FALSE,
                 "aws_s3_bucket", "aws_cloudtrail", "aws_config_delivery_channel", "aws_flow_log", "access_logs",
                 "aws_s3_bucket_logging", "aws_kinesis_firehose_delivery_stream", "logging_config",
                 "aws_s3_object", "aws_s3_bucket_object", "aws_s3_bucket_object_lock_configuration"))
def deletion_protection_enabled(cfg: TerraformConfig):
    """Flags what blocks an automated `terraform destroy`: `deletion_protection`,
    `enable_deletion_protection` or `deletion_protection_enabled` true, `skip_final_snapshot = false` (also
    left out on RDS / Aurora / DocumentDB / Neptune, where it defaults to false), `lifecycle { prevent_destroy
    = true }`, and an S3 bucket without `force_destroy = true` that the answer fills: a service it configures
    delivers into it (CloudTrail, Config, flow logs, load balancer access logs, S3 access logging, Firehose,
    CloudFront logs, replication), it writes objects into a versioned bucket, or object lock retains them.

    Values behind `var.x` count through the variable's literal default (and locals that resolve). A setting
    that blocks only in some deployments (`var.env == "prod" ? true : false`, `deletion_protection =
    var.env == "prod"`) blocks: the answer can produce it. Anything else unresolved is "cannot tell".
    Why: the pipeline destroys every test stack; protected resources make destroy fail and leave resources
    (and costs) behind.
    Fix: `deletion_protection = false` (or a variable defaulting to false), `skip_final_snapshot = true`, no
    `prevent_destroy`, and `force_destroy = true` on buckets that receive objects.
    """
    for res in cfg.resources:
        for name, blocking in _BLOCKING.items():
            attr = res.attributes.get(name)
            if attr is None:
                if name == "skip_final_snapshot" and res.resource_type in _SNAPSHOT_DEFAULT_FALSE:
                    yield hit(res, f"{res.address}: skip_final_snapshot is not set (defaults to false)", part=name)
                continue
            verdict = _may_block(cfg, attr, blocking)
            if verdict is None:
                yield cannot_tell(res, f"{name} = {attr.source}: {resolve(cfg, attr.value)}")
            elif verdict:
                via = "" if attr.is_literal else f" (via {attr.source})"
                yield hit(res, f"{res.address}: {name} = {str(blocking).lower()}{via}", attr)
        for lc in res.children("lifecycle"):
            attr = lc.attributes.get("prevent_destroy")
            if attr is not None and _as_bool(resolve(cfg, attr.value)) is True:
                yield hit(res, f"{res.address}: lifecycle prevent_destroy = true", attr)
    writers = bucket_writers(cfg)
    for bucket in cfg.resources_of("aws_s3_bucket"):
        fills = writers.get(bucket.address, [])
        # Terraform deletes the objects it uploads before the bucket, but in a versioned bucket their versions
        # stay behind and the bucket is not empty.
        fills = [f for f in fills if f[1] != "uploaded objects" or versioning_state(cfg, bucket)]
        if bucket.get("object_lock_enabled") is True:
            fills.append((bucket.address, "object lock"))
        if not fills:
            continue
        yield from _bucket_without_force_destroy(cfg, bucket, fills)


def _bucket_without_force_destroy(cfg: TerraformConfig, bucket: Resource, fills: list[tuple[str, str]]):
    attr = bucket.attributes.get("force_destroy")
    if attr is not None:
        value = _as_bool(resolve(cfg, attr.value))
        if is_unknown(value):
            yield cannot_tell(bucket, f"force_destroy = {attr.source}: {value.reason}")
            return
        if value is True:
            return
    what = ", ".join(sorted({w for _, w in fills}))
    yield hit(bucket, f"{bucket.address}: no force_destroy = true, but {what} put objects in it, so destroy fails "
                      "on a non-empty bucket", attr if attr is not None else "bucket", part="force_destroy")
