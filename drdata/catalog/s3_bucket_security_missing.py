"""s3_bucket_security_missing: buckets without encryption, versioning or a public access block, and log
destinations without the bucket policy their delivering service needs."""

from __future__ import annotations

import re

from drdata.detectors.helpers import (
    LOG_DELIVERY,
    bucket_writers,
    code_text,
    connected,
    lost_blocks,
    versioning_state,
)
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="s3_bucket_security_missing",
    number=7,
    theme="reference",
    area="s3",
    title="S3 Bucket Security Missing",
    severity="High",
    rule_set="aws",
    what="An S3 bucket lacks server-side encryption, versioning or a public access block (inline or as the separate `aws_s3_bucket_*` resources).",
    root_cause="Since AWS provider v4 these controls are separate resources, and models stop after `aws_s3_bucket`.",
    impact="No stated encryption (only the SSE-S3 default AWS applies since 2023, with no KMS key or audit trail of intent), overwrites are unrecoverable and the bucket can be made public by one ACL or policy change.",
    fix="Add `aws_s3_bucket_server_side_encryption_configuration`, `aws_s3_bucket_versioning` and `aws_s3_bucket_public_access_block` for every bucket.",
    report_rules=(
        ReportRule(order=220, strong=(
            r"s3.{0,40}(security|public|versioning|encryption|encrypt|block|hardening|polic\w*|acl|ssl|https|tls|access|protection)"
            r"|public[_ ]access[_ ]block|bucket (security|polic\w*|versioning|encryption|acl|hardening|configuration)|versioning"
            r"|(security|encryption|versioning|public access).{0,30}(s3|buckets?)"
        )),
    ),
))


# What a bucket policy must name for each delivering service (any one of the alternatives).
_PRINCIPALS = {
    "CloudTrail": ("cloudtrail.amazonaws.com",),
    "AWS Config": ("config.amazonaws.com",),
    "VPC flow logs": ("delivery.logs.amazonaws.com",),
    # Classic regions use the regional ELB account (data.aws_elb_service_account or its account id),
    # newer ones the log delivery service.
    "load balancer access logs": ("aws_elb_service_account", "logdelivery.elasticloadbalancing.amazonaws.com",
                                  "delivery.logs.amazonaws.com", "elb_account", "elb-account", "elb_service_account"),
    "S3 access logging": ("logging.s3.amazonaws.com",),
    "CloudFront logs": None,  # delivered through the bucket ACL, no policy
}
# Buckets that only receive logs a service delivers (flow logs, access logs, CloudTrail, Config): appended by
# AWS under unique keys, never overwritten; versioning protects nothing there (CloudTrail's own integrity is
# log file validation). Blind reviewers judge them the same way.
_OPERATIONAL_LOGS = {"VPC flow logs", "load balancer access logs", "S3 access logging", "CloudFront logs",
                     "CloudTrail", "AWS Config"}
_ELB_ACCOUNT = re.compile(r"arn:aws[\w-]*:iam::\d{12}:root")

# (finding part = the connected resource's type without `aws_s3_bucket_`, words, connected type)
_CONTROLS = (
    ("server_side_encryption_configuration", "server-side encryption",
     "aws_s3_bucket_server_side_encryption_configuration"),
    ("versioning", "versioning", "aws_s3_bucket_versioning"),
    ("public_access_block", "public access block", "aws_s3_bucket_public_access_block"),
)


@detector(category="s3_bucket_security_missing",
          # aws_s3_bucket_policy is not here: the rule reads a lost bucket policy's text itself.
          reads=("aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
                 "aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block",
                 "aws_iam_policy_document", "aws_cloudtrail", "aws_config_delivery_channel", "aws_flow_log",
                 "access_logs", "aws_s3_bucket_logging", "logging_config"))
def s3_bucket_security_missing(cfg: TerraformConfig):
    """Flags each `aws_s3_bucket` without server-side encryption, versioning or a public access block, and
    each bucket that a service of the answer delivers logs to without the bucket policy that service needs.

    Inline blocks (`server_side_encryption_configuration`, `versioning { enabled = true }`)
    and the connected resources (`aws_s3_bucket_server_side_encryption_configuration`,
    `aws_s3_bucket_versioning` with status Enabled, `aws_s3_bucket_public_access_block`)
    both count; a connected resource belongs to the bucket when its `bucket` refers to it
    (`aws_s3_bucket.x.id` / `.bucket`, also `[count.index]`, `each.value` over the buckets,
    or a local) or repeats the bucket's own name expression. An account-level
    `aws_s3_account_public_access_block` covers every bucket. Since January 2023 AWS encrypts
    new objects with SSE-S3 by default; a missing encryption configuration is still flagged
    (the reference report does) because the answer then states no encryption intent and
    no KMS key. When parts of the answer did not parse and the control's resource type
    appears in its text, that control is "cannot tell". Versioning is where data matters: a bucket that only
    receives logs a service delivers (flow logs, load balancer / S3 / CloudFront access logs, CloudTrail,
    Config) is not flagged for it. A log destination (CloudTrail `s3_bucket_name`, Config delivery
    channel, flow logs to S3, ALB/NLB `access_logs`, S3 access logging target) needs a bucket policy naming
    the delivering service (`cloudtrail.amazonaws.com`, `config.amazonaws.com`,
    `delivery.logs.amazonaws.com`, the ELB account, `logging.s3.amazonaws.com`); a policy that names another
    principal does not count; a bucket policy that did not parse is read as text.
    Why: unencrypted data, unrecoverable overwrites, and one ACL change away from public.
    Fix: add the three `aws_s3_bucket_*` resources for every bucket.
    """
    account_pab = bool(cfg.resources_of("aws_s3_account_public_access_block"))
    # Where a missing control may hide: after the cut of a truncated answer (the answer's use of the type
    # elsewhere says it may follow), or in a block that did not parse (declared there).
    text = code_text(cfg) if cfg.truncated else cfg.lost_text
    writers = bucket_writers(cfg)
    for bucket in cfg.resources_of("aws_s3_bucket"):
        missing, unsure = [], []  # (key, label) of controls missing; reasons it cannot tell
        for key, label, rtype in _CONTROLS:
            if key == "server_side_encryption_configuration":
                ok = bool(bucket.children("server_side_encryption_configuration")) or bool(
                    connected(cfg, bucket, rtype))
            elif key == "versioning":
                ok = versioning_state(cfg, bucket)
            else:
                ok = account_pab or bool(connected(cfg, bucket, rtype))
            if ok is None:
                unsure.append(f"{label} depends on an unresolved value")
            elif not ok:
                if text and (f'"{rtype}"' in text if not cfg.truncated else rtype in text):
                    unsure.append(f"{label}: {rtype} may be in the unparsed part")
                else:
                    missing.append((key, label))
        services = {w for _, w in writers.get(bucket.address, [])}
        if services and services <= _OPERATIONAL_LOGS:
            missing = [m for m in missing if m[0] != "versioning"]
        # One finding per missing control, so a repair of one control is told apart from the others.
        for key, label in missing:
            yield hit(bucket, f"{bucket.address}: no {label}", "bucket", part=key)  # part: the connected type
        for reason in unsure:
            yield cannot_tell(bucket, reason)
        yield from _delivery_policy(cfg, bucket, services & LOG_DELIVERY)


def _policy_texts(cfg: TerraformConfig, bucket: Resource) -> list[str] | None:
    """Source text of every bucket policy of the bucket, with the policy documents and locals it uses;
    None when a policy comes from somewhere the answer does not show (a variable)."""
    texts = []
    policies = connected(cfg, bucket, "aws_s3_bucket_policy")
    if "policy" in bucket.attributes:
        texts.append(bucket.attributes["policy"].source)
    for pol in policies:
        attr = pol.attributes.get("policy")
        if attr is None:
            continue
        texts.append(attr.source)
        for ref in attr.refs:
            if ref.kind == "data":
                doc = cfg.resource(ref.address)
                if doc is not None:
                    texts.append(doc.source)
            elif ref.kind == "local":
                local = cfg.locals.get(ref.address.split(".", 1)[1])
                if local is not None:
                    texts.append(local.source)
            elif ref.kind == "var":
                return None
    # A bucket policy that did not parse still says which principals it grants: read its text.
    mention = re.compile(rf"\b{re.escape(bucket.address)}\b")
    texts += [text for keyword, rtype, text in lost_blocks(cfg)
              if keyword == "resource" and rtype == "aws_s3_bucket_policy" and mention.search(text)]
    return texts


def _delivery_policy(cfg: TerraformConfig, bucket: Resource, services: set[str]):
    needs = [s for s in sorted(services) if _PRINCIPALS.get(s)]
    if not needs:
        return
    texts = _policy_texts(cfg, bucket)
    if texts is None:
        yield cannot_tell(bucket, "its bucket policy comes from a variable")
        return
    text = "\n".join(texts)
    for service in needs:
        if any(p in text for p in _PRINCIPALS[service]):
            continue
        if service == "load balancer access logs" and _ELB_ACCOUNT.search(text):
            continue
        what = "no bucket policy" if not texts else "a bucket policy that does not grant it"
        yield hit(bucket, f"{bucket.address}: receives {service} but has {what} for "
                          f"{_PRINCIPALS[service][0]}", "bucket", part=f"policy:{service}")
