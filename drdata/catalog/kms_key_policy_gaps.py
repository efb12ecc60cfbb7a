"""Customer managed keys used by AWS services whose key policy does not admit those services."""

from __future__ import annotations

import re

from drdata.detectors.helpers import attr_refs, source_text
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="kms_key_policy_gaps",
    number=18,
    theme="services",
    area="kms",
    title="KMS Key Policy Does Not Allow the Service",
    severity="Critical",
    rule_set="aws",
    what="A customer managed key encrypts CloudWatch Logs, CloudTrail or an SNS topic fed by AWS services, but its key policy (or the default policy, when none is given) does not grant that service principal.",
    root_cause="Models attach the key to the service without knowing that AWS services act under their own principal, which the default key policy does not include.",
    impact="Creation fails (log group: AccessDeniedException) or the service silently cannot write (CloudTrail stops logging, alarm notifications are dropped).",
    fix="Give the key a policy with a statement allowing the service principal (`logs.<region>.amazonaws.com`, `cloudtrail.amazonaws.com`, `cloudwatch.amazonaws.com`, `events.amazonaws.com`) the needed `kms:` actions, scoped with encryption-context conditions.",
    report_rules=(
        ReportRule(order=140, strong=r"(kms|key) polic(y|ies)|kms.{0,30}(principal|permission|grant|access)|key (permissions?|access)"),
    ),
    title_rule=(
        r"kms.{0,30}polic|key polic|kms.{0,40}(principal|permission)"
        r"|(logs|cloudwatch|cloudtrail|sns).{0,40}kms.{0,30}(access|permission|polic)"
    ),
))


# principal name -> regex finding it in policy source (interpolated regions included)
_PRINCIPALS = {
    "logs.<region>.amazonaws.com": re.compile(r"logs\.[^\s\"'`]*amazonaws\.com"),
    "cloudtrail.amazonaws.com": re.compile(r"cloudtrail\.amazonaws\.com"),
    "cloudwatch.amazonaws.com": re.compile(r"cloudwatch\.amazonaws\.com"),
    "events.amazonaws.com": re.compile(r"events\.amazonaws\.com"),
    "s3.amazonaws.com": re.compile(r"\bs3\.amazonaws\.com"),
    "sns.amazonaws.com": re.compile(r"\bsns\.amazonaws\.com"),
    "config.amazonaws.com": re.compile(r"\bconfig\.amazonaws\.com"),
    "events.rds.amazonaws.com": re.compile(r"events\.rds\.amazonaws\.com"),
    "backup.amazonaws.com": re.compile(r"\bbackup\.amazonaws\.com"),
}
# Other AWS services that publish to an SNS topic: resource type -> (attribute naming the topic, principal)
_SNS_PUBLISHERS = {
    "aws_config_delivery_channel": ("sns_topic_arn", "config.amazonaws.com"),
    "aws_db_event_subscription": ("sns_topic", "events.rds.amazonaws.com"),
    "aws_backup_vault_notifications": ("sns_topic_arn", "backup.amazonaws.com"),
}


def _key_of(cfg: TerraformConfig, res: Resource, attr: str) -> str | None:
    """Address of the aws_kms_key the attribute points at (directly or through an alias)."""
    for addr in sorted(attr_refs(cfg, res, attr)):
        if addr.startswith("aws_kms_key."):
            return addr
        if addr.startswith("aws_kms_alias."):
            alias = cfg.resource(addr)
            if alias is not None:
                for a2 in sorted(attr_refs(cfg, alias, "target_key_id")):
                    if a2.startswith("aws_kms_key."):
                        return a2
    return None


def _publishers(cfg: TerraformConfig, target: str) -> list[tuple[str, str]]:
    """(service principal, user address) of AWS services that deliver messages to an SNS topic/SQS queue."""
    out = []
    for r in cfg.resources:
        refs = None
        if r.resource_type == "aws_cloudwatch_metric_alarm":
            refs = {x for n in ("alarm_actions", "ok_actions", "insufficient_data_actions") for x in attr_refs(cfg, r, n)}
            principal = "cloudwatch.amazonaws.com"
        elif r.resource_type == "aws_cloudwatch_event_target":
            refs, principal = attr_refs(cfg, r, "arn"), "events.amazonaws.com"
        elif r.resource_type == "aws_s3_bucket_notification":
            refs = {x.address for x in r.all_refs()}
            principal = "s3.amazonaws.com"
        elif r.resource_type == "aws_sns_topic_subscription" and target.startswith("aws_sqs_queue."):
            refs, principal = attr_refs(cfg, r, "endpoint"), "sns.amazonaws.com"
        elif r.resource_type in _SNS_PUBLISHERS:
            attr, principal = _SNS_PUBLISHERS[r.resource_type]
            refs = attr_refs(cfg, r, attr)
        if refs and target in refs:
            out.append((principal, r.address))
    return out


@detector(category="kms_key_policy_gaps")
def kms_key_policy_gaps(cfg: TerraformConfig):
    """Flags customer managed keys used by CloudWatch Logs, CloudTrail, or by SNS topics / SQS queues that
    AWS services publish to, whose key policy (or the default policy, when none is given) lacks that
    service principal.

    Why: services act as their own principal; the default key policy admits only the account, so log
    group creation fails, CloudTrail stops, and alarm/event notifications are dropped.
    Fix: a key policy statement allowing the service principal kms:Encrypt*/Decrypt*/GenerateDataKey*.
    """
    needs: dict[str, list[tuple[str, str]]] = {}  # key address -> [(principal, user)]
    for lg in cfg.resources_of("aws_cloudwatch_log_group"):
        k = _key_of(cfg, lg, "kms_key_id")
        if k:
            needs.setdefault(k, []).append(("logs.<region>.amazonaws.com", lg.address))
    for ct in cfg.resources_of("aws_cloudtrail"):
        k = _key_of(cfg, ct, "kms_key_id")
        if k:
            needs.setdefault(k, []).append(("cloudtrail.amazonaws.com", ct.address))
    for res in cfg.resources_of("aws_sns_topic", "aws_sqs_queue"):
        k = _key_of(cfg, res, "kms_master_key_id")
        if k:
            for principal, user in _publishers(cfg, res.address):
                needs.setdefault(k, []).append((principal, f"{res.address} (via {user})"))
    for key_addr in sorted(needs):
        key = cfg.resource(key_addr)
        if key is None:
            continue
        policies = [p for p in cfg.resources_of("aws_kms_key_policy")
                    if key_addr in attr_refs(cfg, p, "key_id")]
        policy_attrs = [key.attributes["policy"]] if "policy" in key.attributes else []
        policy_attrs += [p.attributes["policy"] for p in policies if "policy" in p.attributes]
        if any(a.source.strip().startswith(("file(", "templatefile(", "var.", "module.")) for a in policy_attrs):
            yield cannot_tell(key, "key policy comes from a file, variable or module")
            continue
        text = "\n".join([source_text(cfg, key)] + [source_text(cfg, p) for p in policies]) if policy_attrs else ""
        seen = set()
        for principal, user in needs[key_addr]:
            if principal in seen:
                continue
            seen.add(principal)
            if not policy_attrs:
                yield hit(key, f"{key_addr}: used by {user} but has no key policy; the default policy does not "
                               f"allow {principal}")
            elif not _PRINCIPALS[principal].search(text):
                yield hit(key, f"{key_addr}: used by {user} but its key policy does not allow {principal}",
                          key.attributes.get("policy"))
