"""backup_retention_missing: databases without backups or point-in-time recovery."""

from __future__ import annotations

from drdata.detectors.helpers import is_unknown, resolve_plain
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="backup_retention_missing",
    number=41,
    theme="code",
    area="database",
    title="Backup and Retention Missing",
    severity="High",
    rule_set="aws",
    what="Databases without backups: `backup_retention_period` 0 or left out on RDS instances and clusters, DynamoDB tables without point-in-time recovery, `aws_backup_plan` rules without a lifecycle.",
    root_cause="Backups are not needed to make a deployment succeed, so models leave them at defaults.",
    impact="Data cannot be restored after deletion or corruption; compliance checks for recoverability fail.",
    fix="Set `backup_retention_period` (e.g. 7), enable `point_in_time_recovery`, and give backup rules a `lifecycle` with `delete_after`.",
    report_rules=(
        ReportRule(order=550, topic=True, kind_topic=True, strong=r"backups?|\bpitr\b|point[- ]in[- ]time|snapshots?|retention|recovery"),
    ),
    title_rule=r"backup|point[- ]in[- ]time|pitr|retention period",
))


@detector(category="backup_retention_missing")
def backup_retention_missing(cfg: TerraformConfig):
    """Flags RDS instances and clusters whose `backup_retention_period` is 0 or left out, DynamoDB tables
    without `point_in_time_recovery { enabled = true }`, and aws_backup_plan rules without a lifecycle.
    Read replicas (`replicate_source_db`) and global-cluster secondaries are skipped: they take backups from
    their source.

    Why: left out, RDS keeps one day of backups at most (0 disables them, and clusters default to 1 day);
    without PITR a DynamoDB table cannot be restored to a point in time.
    Fix: set `backup_retention_period` (7 or more), enable PITR, give backup rules `lifecycle { delete_after }`.
    """
    for r in cfg.resources_of("aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"):
        if r.get("replicate_source_db") is not None or r.get("replication_source_identifier") is not None:
            continue
        if r.resource_type == "aws_rds_cluster" and r.get("global_cluster_identifier") is not None \
                and r.get("master_username") is None:
            continue  # secondary of a global cluster
        attr = r.attributes.get("backup_retention_period")
        if attr is None:
            yield hit(r, f"{r.address}: backup_retention_period not set (default keeps at most 1 day)")
            continue
        v = resolve_plain(cfg, attr.value, max_depth=5, whole_literal=False)
        known = not is_unknown(v)
        if not known:
            yield cannot_tell(r, f"backup_retention_period = {attr.source} does not resolve")
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and v < 1:
            yield hit(r, f"{r.address}: backup_retention_period = {v} disables automated backups", attr)
    for t in cfg.resources_of("aws_dynamodb_table"):
        pitr = t.children("point_in_time_recovery")
        if not pitr:
            yield hit(t, f"{t.address}: no point_in_time_recovery block (PITR off)")
            continue
        v = resolve_plain(cfg, pitr[0].get("enabled"), max_depth=5, whole_literal=False)
        known = not is_unknown(v)
        if not known:
            yield cannot_tell(t, "point_in_time_recovery.enabled does not resolve")
        elif v is not True:
            yield hit(t, f"{t.address}: point_in_time_recovery.enabled = {v}", )
    for p in cfg.resources_of("aws_backup_plan"):
        for rule in p.children("rule"):
            if not rule.children("lifecycle"):
                yield hit(p, f"{p.address}: backup rule \"{rule.get('rule_name')}\" has no lifecycle (kept forever)")
